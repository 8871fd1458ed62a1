package lan.homelab.pxe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import lan.homelab.pxe.answer.AnswerProblem;
import lan.homelab.pxe.answer.AnswerValidator;
import lan.homelab.pxe.answer.InstallerVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code validate-answer}: checks answer files with the installer's rules; one line per file,
 * {@code FILE: valid} or {@code FILE: invalid: REASON}; exit 0 only when every file is valid.
 */
@Command(
    name = "validate-answer",
    mixinStandardHelpOptions = true,
    description = {
      "Check Proxmox answer files with the auto-installer's rules.",
      "Prints 'FILE: valid' or 'FILE: invalid: REASON' per file; exits 0 only if all are valid."
    })
public class ValidateAnswerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--installer-version",
      paramLabel = "V",
      description = "Installer release line: 8.2, 8.3, 8.4, 9.0, 9.1 or 9.2 (default: 9.2).")
  String installerVersion = InstallerVersion.NEWEST.label();

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Answer files (TOML).")
  List<String> files;

  @Override
  public Integer call() {
    InstallerVersion version = RenderAnswerCommand.version(spec, installerVersion);
    PrintWriter out = spec.commandLine().getOut();
    boolean allValid = true;
    for (String file : files) {
      String reason;
      try {
        reason = reason(AnswerValidator.validate(Files.readString(Path.of(file)), version));
      } catch (IOException | RuntimeException e) {
        reason =
            "cannot read the file (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
      }
      allValid &= reason == null;
      out.println(file + ": " + (reason == null ? "valid" : "invalid: " + reason));
    }
    out.flush();
    return allValid ? 0 : 1;
  }

  /** The problems as one line ("key: message; …"), or null when there are none. */
  static String reason(List<AnswerProblem> problems) {
    if (problems.isEmpty()) {
      return null;
    }
    return problems.stream().map(AnswerProblem::toString).collect(Collectors.joining("; "));
  }

  static CommandLine.ParameterException badParameter(CommandSpec spec, String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
