package lan.homelab.pxe.status;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StatusPatchTest {
  private MockApi api;
  private KubernetesClient client;
  private final Conditions conditions = new Conditions(Clock.systemUTC());

  @BeforeEach
  void start() {
    api = new MockApi(NS);
    client = api.client();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private NodeInstall created() {
    NodeInstall ni = new NodeInstall();
    ni.getMetadata().setName("52-54-00-00-00-0a");
    ni.getMetadata().setNamespace(NS);
    ni.setSpec(new NodeInstallSpec());
    ni.getSpec().setMac("52:54:00:00:00:0a");
    return client.resource(ni).create();
  }

  private NodeInstallStatus read() {
    return client
        .resources(NodeInstall.class)
        .inNamespace(NS)
        .withName("52-54-00-00-00-0a")
        .get()
        .getStatus();
  }

  private NodeInstallStatus status(NodeInstallPhase phase, String... conditionTypes) {
    NodeInstallStatus s = new NodeInstallStatus();
    s.setPhase(phase);
    for (String type : conditionTypes) {
      s.setConditions(conditions.set(s.getConditions(), type, true, "R", "m", 1L));
    }
    return s;
  }

  @Test
  void shouldKeepWhatAnotherWriterSetWhenTheStatusWasSeenEmpty() {
    NodeInstall ni = created();
    NodeInstallStatus report = new NodeInstallStatus();
    report.setDiscoveredAt("2026-01-01T00:00:00Z");
    report.setConditions(null);
    StatusPatch.apply(client, ni, null, report);

    StatusPatch.apply(client, ni, null, status(NodeInstallPhase.Waiting, "Ready"));

    assertThat(read().getDiscoveredAt()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(read().getPhase()).isEqualTo(NodeInstallPhase.Waiting);
  }

  @Test
  void shouldPatchCleanlyFromAStatusThatLagsBehindTheServer() {
    NodeInstall ni = created();
    StatusPatch.apply(client, ni, null, status(NodeInstallPhase.Waiting, "A", "B", "C"));
    NodeInstallStatus staleView = status(NodeInstallPhase.Waiting, "A");
    staleView.setDiscoveredAt("2026-01-01T00:00:00Z");

    NodeInstallStatus next = status(NodeInstallPhase.Installing, "A", "B");
    next.setDiscoveredAt(null);
    StatusPatch.apply(client, ni, staleView, next);

    NodeInstallStatus now = read();
    assertThat(now.getPhase()).isEqualTo(NodeInstallPhase.Installing);
    assertThat(now.getConditions()).extracting(c -> c.getType()).isEqualTo(List.of("A", "B"));
    assertThat(now.getDiscoveredAt()).isNull();
  }

  @Test
  void shouldWriteAChangeDeepInsideTheStatusAndNothingWhenNothingChanged() {
    NodeInstall ni = created();
    NodeInstallStatus before = status(NodeInstallPhase.Installing, "Ready");
    lan.homelab.pxe.api.v1alpha1.DiskInfo disk = new lan.homelab.pxe.api.v1alpha1.DiskInfo();
    disk.setSerial("S1");
    before.setInventory(new lan.homelab.pxe.api.v1alpha1.InstallInventory());
    before.getInventory().setDisks(List.of(disk));
    ni = StatusPatch.apply(client, ni, null, before).orElseThrow();
    NodeInstallStatus after = client.getKubernetesSerialization().clone(before);
    after.getInventory().getDisks().get(0).setSerial("S2");

    assertThat(StatusPatch.apply(client, ni, before, after)).isPresent();
    assertThat(read().getInventory().getDisks().get(0).getSerial()).isEqualTo("S2");
    String version = client.resource(ni).get().getMetadata().getResourceVersion();
    assertThat(
            StatusPatch.apply(client, ni, after, client.getKubernetesSerialization().clone(after)))
        .isEmpty();
    assertThat(client.resource(ni).get().getMetadata().getResourceVersion()).isEqualTo(version);
  }
}
