package lan.homelab.pxe.config;

import java.util.List;

/** The operator's settings are wrong; each problem names its setting. */
public class InvalidSettingsException extends IllegalArgumentException {
  private final List<String> problems;

  public InvalidSettingsException(List<String> problems) {
    super("invalid settings: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
