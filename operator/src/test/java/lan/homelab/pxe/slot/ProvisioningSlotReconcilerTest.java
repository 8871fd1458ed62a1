package lan.homelab.pxe.slot;

import static lan.homelab.pxe.Fixtures.NS;
import static lan.homelab.pxe.Fixtures.pxe;
import static lan.homelab.pxe.Fixtures.slot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.status.Conditions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProvisioningSlotReconcilerTest {
  private MockApi api;
  private KubernetesClient client;
  private OperatorMain operator;

  @BeforeEach
  void start() {
    api = new MockApi(NS);
    client = api.client();
    operator =
        new OperatorMain(client, OperatorSettings.defaults(), Clock.systemUTC())
            .withHttpPort(0)
            .start();
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  private ProvisioningSlot awaitSlotPhase(String name, SlotPhase phase) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              ProvisioningSlot s = Fixtures.slot(client, name);
              return s.getStatus() != null && s.getStatus().getPhase() == phase;
            });
    return Fixtures.slot(client, name);
  }

  private List<Event> eventsAbout(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  @Test
  void shouldShowAnAvailableSlotWithItsOrderHostnameAndReadyCondition() {
    Fixtures.create(client, slot("slot-4", "10.11.0.4", null));

    ProvisioningSlot available = awaitSlotPhase("slot-4", SlotPhase.Available);

    assertThat(available.getStatus().getHostname()).isEqualTo("node-10-11-0-4");
    assertThat(available.getStatus().getOrder()).isEqualTo(4L);
    assertThat(available.getStatus().getObservedGeneration()).isEqualTo(1L);
    assertThat(
            Conditions.isTrue(available.getStatus().getConditions(), ApiConstants.CONDITION_READY))
        .isTrue();
  }

  @Test
  void shouldMarkASlotOutsideTheNetworkInvalidExplainWhyAndNeverHandItOut() {
    Fixtures.create(client, slot("outside", "192.168.7.2", "stray"));

    ProvisioningSlot invalid = awaitSlotPhase("outside", SlotPhase.Invalid);
    operator.reports().discovered(pxe("52:54:00:00:00:0a"));

    assertThat(
            Conditions.find(invalid.getStatus().getConditions(), ApiConstants.CONDITION_VALID)
                .getMessage())
        .contains("not a host address of 10.11.0.0/22");
    await()
        .until(
            () ->
                eventsAbout("outside").stream().anyMatch(e -> "InvalidSpec".equals(e.getReason())));
    await()
        .until(
            () -> {
              var ni = Fixtures.install(client, "52:54:00:00:00:0a");
              return ni.getStatus() != null
                  && ni.getStatus().getPhase() == NodeInstallPhase.Waiting;
            });
    assertThat(Fixtures.install(client, "52:54:00:00:00:0a").getSpec().getSlot()).isNull();
  }

  @Test
  void shouldNeverHandOutASecondSlotWithTheSameAddress() {
    Fixtures.create(client, slot("peach-beach", "10.11.0.2", "peach-beach"));
    awaitSlotPhase("peach-beach", SlotPhase.Available);
    Fixtures.create(client, slot("zz-copy", "10.11.0.2", "zz-copy"));
    awaitSlotPhase("zz-copy", SlotPhase.Invalid);

    operator.reports().discovered(pxe("52:54:00:00:00:0a"));
    operator.reports().discovered(pxe("52:54:00:00:00:0b"));

    await()
        .until(
            () ->
                java.util.stream.Stream.of("52:54:00:00:00:0a", "52:54:00:00:00:0b")
                    .map(mac -> Fixtures.install(client, mac))
                    .filter(ni -> ni.getStatus() != null)
                    .map(ni -> ni.getStatus().getPhase())
                    .sorted()
                    .toList()
                    .equals(List.of(NodeInstallPhase.Waiting, NodeInstallPhase.Installing)));
    assertThat(Fixtures.labels(Fixtures.slot(client, "peach-beach")))
        .containsKey(ApiConstants.LABEL_CLAIMED_BY);
    assertThat(Fixtures.labels(Fixtures.slot(client, "zz-copy")))
        .doesNotContainKey(ApiConstants.LABEL_CLAIMED_BY);
  }

  @Test
  void shouldFollowItsMachineFromClaimedToProvisioned() {
    Fixtures.create(client, slot("peach-beach", "10.11.0.2", "peach-beach"));
    operator.reports().discovered(pxe("52:54:00:00:00:0a"));

    ProvisioningSlot claimed = awaitSlotPhase("peach-beach", SlotPhase.Claimed);
    assertThat(claimed.getStatus().getNodeInstall()).isEqualTo("52-54-00-00-00-0a");
    assertThat(claimed.getStatus().getMac()).isEqualTo("52:54:00:00:00:0a");

    Fixtures.annotate(
        client, "52-54-00-00-00-0a", ApiConstants.ANNOTATION_MARK_PROVISIONED, "true");

    awaitSlotPhase("peach-beach", SlotPhase.Provisioned);
    assertThat(eventsAbout("52-54-00-00-00-0a"))
        .extracting(Event::getReason)
        .contains("Discovered", "Claimed", "Provisioned");
  }
}
