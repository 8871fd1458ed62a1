package lan.homelab.pxe.cli;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} and the operator it starts, when its HTTP port is taken. */
class RunCommandTest {
  @TempDir Path dir;

  /** The threads a running operator keeps: its reconcilers' and its boot config publisher's. */
  private static Set<Long> operatorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t ->
                t.getName().startsWith("ReconcilerExecutor")
                    || t.getName().equals("boot-config-publisher"))
        .map(Thread::getId)
        .collect(Collectors.toSet());
  }

  @Test
  void shouldStopTheReconcilersAgainWhenTheHttpPortCannotBeBound() throws IOException {
    Set<Long> before = operatorThreads();
    try (MockApi api = new MockApi(NS);
        ServerSocket taken = new ServerSocket(0)) {
      Fixtures.seedSlots(api.client());
      OperatorMain main =
          new OperatorMain(api.client(), OperatorSettings.defaults(), Clock.systemUTC())
              .withHttpPort(taken.getLocalPort());

      assertThatThrownBy(main::start).hasMessageContaining("cannot serve HTTP");

      await()
          .until(() -> operatorThreads().stream().filter(id -> !before.contains(id)).count() == 0);
    }
  }

  @Test
  void shouldExitNonZeroWithTheReasonWhenTheHttpPortIsTaken() throws Exception {
    try (MockApi api = new MockApi(NS);
        ServerSocket taken = new ServerSocket(0)) {
      Path settings = dir.resolve("settings.yaml");
      Files.writeString(
          settings, "namespace: " + NS + "\nhttpPort: " + taken.getLocalPort() + "\n");
      Process run =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-cp",
                      System.getProperty("java.class.path"),
                      "-Dkubernetes.master=" + api.client().getMasterUrl(),
                      "-Dkubernetes.auth.tryKubeConfig=false",
                      "-Dkubernetes.auth.tryServiceAccount=false",
                      PxeOperatorCommand.class.getName(),
                      "run",
                      "--config",
                      settings.toString()))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("run.log").toFile())
              .start();

      boolean exited = run.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        run.destroyForcibly();
      }
      String log = Files.readString(dir.resolve("run.log"), StandardCharsets.UTF_8);
      assertThat(exited).as("run exits; its output:\n%s", log).isTrue();
      assertThat(run.exitValue()).as(log).isNotZero();
      assertThat(log).contains("cannot serve HTTP");
    }
  }
}
