package lan.homelab.pxe.answer;

import java.util.List;

/** The outcome of rendering one answer: the TOML text, or every problem found. */
public sealed interface AnswerResult {
  /** A rendered answer that passed the validator for its installer version. */
  record Rendered(String toml) implements AnswerResult {}

  /** The answer would be rejected (or the inputs conflict); nothing may be served. */
  record Invalid(List<AnswerProblem> problems) implements AnswerResult {
    public Invalid {
      problems = List.copyOf(problems);
    }
  }
}
