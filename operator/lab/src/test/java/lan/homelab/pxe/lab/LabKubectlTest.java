package lan.homelab.pxe.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubectl against a running lab, with the operator reconciling what kubectl changes. */
class LabKubectlTest {
  @TempDir Path dir;

  @Test
  void shouldShowTheSeededQueueAndReconcileASlotAppliedWithKubectl() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    var options = new Lab.Options(0, true, Duration.ofSeconds(60), 0, kubeconfig, false);
    try (Lab lab =
        new Lab(options, new PrintWriter(new StringWriter(), true), Clock.systemUTC()).start()) {
      Kubectl kubectl = Kubectl.forKubeconfig(kubeconfig, dir);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(kubectl.run("get", "provisioningslots").assertOk().stdout())
                      .containsPattern(
                          "peach-beach\\s+\\d+s\\s+10\\.11\\.0\\.2\\s+peach-beach\\s+.*Available")
                      .containsPattern(
                          "moo-moo-meadows\\s+\\d+s\\s+10\\.11\\.0\\.3\\s+moo-moo-meadows")
                      .contains("slot-10-11-0-4", "slot-10-11-0-5", "slot-10-11-0-6"));

      Path slot = dir.resolve("slot.yaml");
      Files.writeString(
          slot,
          """
          apiVersion: pxe.homelab.lan/v1alpha1
          kind: ProvisioningSlot
          metadata:
            name: toad-harbor
          spec:
            address: 10.11.0.7
            hostname: toad-harbor
          """);
      assertThat(kubectl.run("apply", "-f", slot.toString()).assertOk().stdout())
          .contains("provisioningslot.pxe.homelab.lan/toad-harbor created");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(kubectl.run("get", "pslot", "toad-harbor").assertOk().stdout())
                      .containsPattern(
                          "toad-harbor\\s+\\d+s\\s+10\\.11\\.0\\.7\\s+toad-harbor\\s+.*Available"));
    }
  }

  @Test
  void shouldWatchMachinesGetProvisionedAndDescribeThemWithEvents() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    var options = new Lab.Options(2, true, Duration.ofSeconds(90), 0, kubeconfig, false);
    var out = new PrintWriter(new StringWriter(), true);
    try (Lab lab = new Lab(options, out, Clock.systemUTC()).start()) {
      Kubectl kubectl = Kubectl.forKubeconfig(kubeconfig, dir);
      Path watched = dir.resolve("watch.txt");
      Process watch = kubectl.start(watched, "get", "nodeinstalls", "-w", "--request-timeout=90s");
      try {
        var run = new LabRun(lab, options, out, Clock.systemUTC());
        assertThat(run.run()).isZero();
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () ->
                    assertThat(Files.readString(watched))
                        .containsPattern("52-54-00-00-00-01\\s+.*Installing")
                        .containsPattern("52-54-00-00-00-02\\s+.*Provisioned"));
      } finally {
        Kubectl.stop(watch);
      }

      String nodes = kubectl.run("get", "nodeinstalls").assertOk().stdout();
      assertThat(nodes)
          .containsPattern(
              "52-54-00-00-00-01\\s+\\d+s\\s+52:54:00:00:00:01\\s+10\\.11\\.0\\.2\\s+peach-beach\\s+\\S+\\s+Provisioned");
      String described =
          kubectl.run("describe", "nodeinstall", "52-54-00-00-00-01").assertOk().stdout();
      assertThat(described).containsPattern("Events:\\s+Type\\s+Reason").contains("Discovered");
    }
  }
}
