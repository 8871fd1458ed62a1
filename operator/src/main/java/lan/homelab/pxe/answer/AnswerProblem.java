package lan.homelab.pxe.answer;

/**
 * One reason an answer is rejected.
 *
 * @param key dotted path of the offending key in kebab-case, e.g. {@code disk-setup.zfs.raid}
 * @param rule the rule broken, one of the {@link AnswerRules} constants
 * @param message what the installer would say (its wording where it has one)
 */
public record AnswerProblem(String key, String rule, String message) {
  @Override
  public String toString() {
    return key + ": " + message;
  }
}
