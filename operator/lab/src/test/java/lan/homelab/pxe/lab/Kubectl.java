package lan.homelab.pxe.lab;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real kubectl binary, run against one kubeconfig with a private discovery cache. Where no
 * kubectl is installed the test is skipped, except under CI=true where that is a failure.
 */
public final class Kubectl {
  /** What one kubectl run printed. */
  public record Result(int exitCode, String stdout, String stderr) {
    public Result assertOk() {
      if (exitCode != 0) {
        fail("kubectl exited " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
      }
      return this;
    }
  }

  private final Path binary;
  private final Path kubeconfig;
  private final Path cacheDir;

  private Kubectl(Path binary, Path kubeconfig, Path cacheDir) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
  }

  /** kubectl for {@code kubeconfig}; skips (or fails under CI=true) when there is none. */
  public static Kubectl forKubeconfig(Path kubeconfig, Path workDir) throws IOException {
    Optional<Path> binary = locate();
    if (binary.isEmpty()) {
      String how = "kubectl is not installed (apt-get install kubernetes-client)";
      if ("true".equals(System.getenv("CI"))) {
        fail(how + "; CI=true requires it");
      }
      Assumptions.abort(how + "; skipping the kubectl tests");
    }
    return new Kubectl(
        binary.get(), kubeconfig, Files.createDirectories(workDir.resolve("kube-cache")));
  }

  private static Optional<Path> locate() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Runs kubectl with {@code args}; kills it after {@code timeout}. */
  public Result run(Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.add("--cache-dir=" + cacheDir);
    command.addAll(List.of(args));
    Path out = Files.createTempFile(cacheDir, "out", ".txt");
    Path err = Files.createTempFile(cacheDir, "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().remove("KUBECONFIG");
    Process process = builder.start();
    int exit;
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      exit = process.exitValue();
    } else {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      exit = -1;
    }
    return new Result(
        exit,
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Runs kubectl with a 30 s bound. */
  public Result run(String... args) throws IOException, InterruptedException {
    return run(Duration.ofSeconds(30), args);
  }

  /** Starts a long-running kubectl (e.g. {@code get -w}) whose stdout goes to {@code out}. */
  public Process start(Path out, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.add("--cache-dir=" + cacheDir);
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(out.resolveSibling(out.getFileName() + ".err").toFile());
    builder.environment().remove("KUBECONFIG");
    return builder.start();
  }

  /** Stops a process from {@link #start}, bounded. */
  public static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
