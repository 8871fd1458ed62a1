package lan.homelab.pxe.lab.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short command to completion, bounded in time; the result carries its output. */
final class Cmd {
  /** What a finished command printed and returned. */
  record Result(int exitCode, String out) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private Cmd() {}

  static Result run(List<String> command, long timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out: " + String.join(" ", command));
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  static Result run(String... command) {
    return run(List.of(command), 30);
  }

  /** Runs the command and throws with its output when it fails. */
  static String check(String... command) {
    Result r = run(command);
    if (!r.ok()) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed (" + r.exitCode() + "): " + r.out().trim());
    }
    return r.out();
  }

  static List<String> inNamespace(String netns, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(command);
    return full;
  }
}
