package lan.homelab.pxe.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab as its own JVM, stopped the way Ctrl-C stops it (a signal runs the shutdown hook). */
class LabShutdownTest {
  @TempDir Path dir;

  @Test
  void shouldStopCleanlyOnASignalAndLeaveNothingBehind() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Path out = dir.resolve("out.txt");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process lab =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    LabMain.class.getName(),
                    "lab",
                    "--machines",
                    "0",
                    "--kubeconfig",
                    kubeconfig.toString()))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.readString(out).contains("keeps running until Ctrl-C"));
      String apiLine =
          Files.readString(out)
              .lines()
              .filter(l -> l.startsWith("API: "))
              .findFirst()
              .orElseThrow();
      int port = Integer.parseInt(apiLine.replaceAll(".*:", ""));
      assertThat(kubeconfig).exists();

      lab.destroy(); // SIGTERM: the same shutdown hook as Ctrl-C's SIGINT

      assertThat(lab.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(out)).isTrue();
      assertThat(kubeconfig).doesNotExist();
      assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 1000))
          .isInstanceOf(IOException.class);
      assertThat(Files.readString(out)).doesNotContain("Exception");
    } finally {
      if (lab.isAlive()) {
        lab.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
