package lan.homelab.pxe.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab in simulated mode from start to summary, and the state it leaves in its API. */
class LabEndToEndTest {
  @TempDir Path dir;

  @Test
  void shouldProvisionSixMachinesWhereTheSixthWaitsForASlotTheLabApplies() throws Exception {
    var text = new StringWriter();
    var out = new PrintWriter(text, true);
    var options =
        new Lab.Options(6, true, Duration.ofSeconds(120), 0, dir.resolve("kubeconfig"), false);
    try (Lab lab = new Lab(options, out, Clock.systemUTC()).start()) {
      int exit = new LabRun(lab, options, out, Clock.systemUTC()).run();

      assertThat(exit).as(text.toString()).isZero();
      String ns = lab.operatorSettings().namespace();
      var nodes = lab.nodeInstalls();
      assertThat(nodes).hasSize(6);
      assertThat(nodes)
          .allSatisfy(
              n -> {
                var s = n.getStatus();
                assertThat(s.getPhase()).isEqualTo(NodeInstallPhase.Provisioned);
                assertThat(s.getBootScriptServedAt()).isNotNull();
                assertThat(s.getAnswerServedAt()).isNotNull();
                assertThat(s.getWebhookReceivedAt()).isNotNull();
                assertThat(s.getAnswerRequest().getMacMatches()).isTrue();
                assertThat(s.getInventory()).isNotNull();
              });
      assertThat(nodes)
          .extracting(n -> n.getStatus().getAddress())
          .containsExactlyInAnyOrder(
              "10.11.0.2", "10.11.0.3", "10.11.0.4", "10.11.0.5", "10.11.0.6", "10.11.0.7");
      assertThat(nodes)
          .filteredOn(n -> n.getStatus().getAddress().equals("10.11.0.2"))
          .extracting(n -> n.getStatus().getHostname())
          .containsExactly("peach-beach");
      assertThat(lab.client().resources(ProvisioningSlot.class).inNamespace(ns).list().getItems())
          .hasSize(6);

      String hosts =
          lab.client()
              .configMaps()
              .inNamespace(ns)
              .withName(Names.CONFIGMAP_DNSMASQ_HOSTS)
              .get()
              .getData()
              .get(Names.KEY_HOSTS);
      for (NodeInstall n : nodes) {
        assertThat(hosts).contains(n.getSpec().getMac() + ",ignore");
      }
      assertThat(lab.client().configMaps().inNamespace(ns).list().getItems())
          .noneMatch(c -> c.getMetadata().getName().startsWith(Names.CONFIGMAP_NODE_PREFIX));
    }
    String printed = text.toString();
    assertThat(printed)
        .contains("applying ProvisioningSlot slot-10-11-0-7 (10.11.0.7)")
        .contains("Summary: 6 of 6 machines provisioned");
    assertThat(printed.lines().filter(l -> l.contains("was ignored"))).hasSize(6);
    assertThat(
            printed
                .lines()
                .filter(l -> l.matches("52-54-00-00-00-0\\d\\s+10\\.11\\.0\\.\\d.*Provisioned.*")))
        .hasSize(6);
  }
}
