package lan.homelab.pxe.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import org.junit.jupiter.api.Test;

class LabSummaryTest {
  static NodeInstall node(String name, NodeInstallPhase phase, String address, String hostname) {
    var node = new NodeInstall();
    node.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withCreationTimestamp("2026-11-26T12:00:00Z")
            .build());
    var status = new NodeInstallStatus();
    status.setPhase(phase);
    status.setAddress(address);
    status.setHostname(hostname);
    node.setStatus(status);
    return node;
  }

  @Test
  void shouldListEachMachineWithItsStepTimes() {
    var done = node("52-54-00-00-00-01", NodeInstallPhase.Provisioned, "10.11.0.2", "peach-beach");
    var s = done.getStatus();
    s.setDiscoveredAt("2026-11-26T12:00:00Z");
    s.setClaimedAt("2026-11-26T12:00:01Z");
    s.setBootScriptServedAt("2026-11-26T12:00:01Z");
    s.setAnswerServedAt("2026-11-26T12:00:03Z");
    s.setWebhookReceivedAt("2026-11-26T12:02:08Z");
    s.setCompletedAt("2026-11-26T12:02:09Z");
    var waiting = node("52-54-00-00-00-06", NodeInstallPhase.Waiting, null, null);

    List<String> lines = LabSummary.format(List.of(waiting, done), Duration.ofSeconds(130));

    assertThat(lines.get(0)).isEqualTo("Summary: 1 of 2 machines provisioned in 2m10s");
    assertThat(lines.get(1))
        .containsSubsequence(
            "MACHINE",
            "ADDRESS",
            "HOSTNAME",
            "PHASE",
            "CLAIM",
            "BOOT-SCRIPT",
            "ANSWER",
            "WEBHOOK",
            "TOTAL");
    assertThat(lines.get(2))
        .matches(
            "52-54-00-00-00-01\\s+10\\.11\\.0\\.2\\s+peach-beach\\s+Provisioned\\s+1s\\s+0s"
                + "\\s+2s\\s+2m05s\\s+2m09s");
    assertThat(lines.get(3)).matches("52-54-00-00-00-06\\s+-\\s+-\\s+Waiting(\\s+-){5}");
    assertThat(lines.get(1).indexOf("ADDRESS")).isEqualTo(lines.get(2).indexOf("10.11.0.2"));
  }
}
