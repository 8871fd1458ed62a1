package lan.homelab.pxe.install;

import static lan.homelab.pxe.Fixtures.NS;
import static lan.homelab.pxe.Fixtures.install;
import static lan.homelab.pxe.Fixtures.pxe;
import static lan.homelab.pxe.Fixtures.slot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.TestClock;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.render.DnsmasqConfRenderer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Floods of unknown PXE MACs: the bound on installs without a slot (maxUnclaimedInstalls), the
 * expiry of those DHCP no longer reports (DiscoveryExpired), and the release of claims no machine
 * booted from (unbootedRelease). In {@code claimPolicy: approval} where a claim would otherwise
 * hide the behaviour.
 */
class UnclaimedInstallsLifecycleTest {
  private static final String MAC_A = "52:54:00:00:00:0a";
  private static final String MAC_B = "52:54:00:00:00:0b";
  private static final String MAC_C = "52:54:00:00:00:0c";
  private static final String MAC_D = "52:54:00:00:00:0d";
  private static final String WAKE = "test.pxe.homelab.lan/wake";

  private final TestClock clock = new TestClock();
  private MockApi api;
  private KubernetesClient client;
  private OperatorMain operator;

  @BeforeEach
  void startApi() {
    api = new MockApi(NS);
    client = api.client();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    api.close();
  }

  private void start(Map<String, ?> settings) {
    operator =
        new OperatorMain(client, OperatorSettings.defaults().with(settings), clock)
            .withHttpPort(0)
            .start();
  }

  private NodeInstall awaitPhase(String mac, NodeInstallPhase phase) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              NodeInstall ni = install(client, mac);
              return ni != null && ni.getStatus() != null && ni.getStatus().getPhase() == phase;
            });
    return install(client, mac);
  }

  private void wake(String mac) {
    Fixtures.annotate(client, Mac.parse(mac).objectName(), WAKE, String.valueOf(System.nanoTime()));
  }

  private JsonNode statusJson() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + operator.httpPort() + "/api/v1/status"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return Serialization.jsonMapper().readTree(r.body());
  }

  @Test
  void shouldCreateNothingForANewPxeMacWhenTheBoundOfUnclaimedInstallsIsReached() throws Exception {
    Fixtures.seedSlots(client);
    start(Map.of("claimPolicy", "approval", "maxUnclaimedInstalls", 2));
    operator.reports().discovered(pxe(MAC_A));
    operator.reports().discovered(pxe(MAC_B));
    awaitPhase(MAC_A, NodeInstallPhase.AwaitingApproval);
    awaitPhase(MAC_B, NodeInstallPhase.AwaitingApproval);

    DiscoveryOutcome third = operator.reports().discovered(pxe(MAC_C));

    assertThat(third).isEqualTo(new DiscoveryOutcome.OverBound(2));
    assertThat(install(client, MAC_C)).isNull();
    assertThat(operator.metrics().scrape())
        .contains("pxe_discoveries_over_bound_total 1.0")
        .contains("pxe_unclaimed_installs 2.0")
        .contains("pxe_unclaimed_installs_bound 2.0");
    JsonNode bound = statusJson().get("discovery");
    assertThat(bound.get("reached").asBoolean()).isTrue();
    assertThat(bound.get("refused").asLong()).isEqualTo(1);
    assertThat(bound.get("line").asText())
        .contains("2 of at most 2 machines without a slot")
        .contains("new PXE MACs are not registered");
  }

  @Test
  void shouldCountNoBurstBeyondTheBoundEvenBeforeTheCacheShowsTheNewInstalls() {
    start(Map.of("claimPolicy", "approval", "maxUnclaimedInstalls", 3));

    long registered =
        java.util.stream.IntStream.range(0, 40)
            .parallel()
            .mapToObj(i -> pxe(String.format("52:54:00:00:01:%02x", i)))
            .map(operator.reports()::discovered)
            .filter(o -> o instanceof DiscoveryOutcome.Registered)
            .count();

    assertThat(registered).isEqualTo(3);
    assertThat(client.resources(NodeInstall.class).inNamespace(NS).list().getItems()).hasSize(3);
  }

  @Test
  void shouldStillAnswerAKnownMacAndNotCountHeldSlotsOrAPersonsInstallsAgainstTheBound() {
    Fixtures.seedSlots(client);
    NodeInstall byHand = new NodeInstall();
    byHand.getMetadata().setName(Mac.parse(MAC_D).objectName());
    byHand.getMetadata().setNamespace(NS);
    byHand.setSpec(new NodeInstallSpec());
    byHand.getSpec().setMac(MAC_D);
    client.resource(byHand).create();
    start(Map.of("claimPolicy", "approval", "maxUnclaimedInstalls", 1));
    awaitPhase(MAC_D, NodeInstallPhase.AwaitingApproval);
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.AwaitingApproval);

    assertThat(operator.reports().discovered(pxe(MAC_A)))
        .isInstanceOf(DiscoveryOutcome.AlreadyKnown.class);
    assertThat(operator.reports().discovered(pxe(MAC_B)))
        .isInstanceOf(DiscoveryOutcome.OverBound.class);

    Fixtures.annotate(
        client, Mac.parse(MAC_A).objectName(), ApiConstants.ANNOTATION_APPROVED, "true");
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    await()
        .until(
            () -> operator.reports().discovered(pxe(MAC_B)) instanceof DiscoveryOutcome.Registered);
  }

  @Test
  void shouldDeleteAnUnclaimedInstallWithNoDhcpEventForOnePoolLeaseTime() {
    Fixtures.seedSlots(client);
    start(Map.of("claimPolicy", "approval", "maxUnclaimedInstalls", 1));
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.AwaitingApproval);
    assertThat(operator.reports().discovered(pxe(MAC_B)))
        .isInstanceOf(DiscoveryOutcome.OverBound.class);

    clock.advance(DnsmasqConfRenderer.POOL_LEASE.plusSeconds(1));
    wake(MAC_A);

    await().until(() -> install(client, MAC_A) == null);
    assertThat(Fixtures.eventReasons(client, Mac.parse(MAC_A).objectName()))
        .contains("DiscoveryExpired");
    await()
        .until(
            () -> operator.reports().discovered(pxe(MAC_B)) instanceof DiscoveryOutcome.Registered);
  }

  @Test
  void shouldKeepAnUnclaimedInstallWhoseLeaseEventsGoOnAndExpireItOneLeaseTimeAfterTheLast() {
    start(Map.of("claimPolicy", "approval"));
    operator.reports().discovered(pxe(MAC_A));
    operator.reports().discovered(pxe(MAC_B));
    awaitPhase(MAC_A, NodeInstallPhase.AwaitingApproval);
    awaitPhase(MAC_B, NodeInstallPhase.AwaitingApproval);

    clock.advance(Duration.ofSeconds(70));
    assertThat(operator.reports().discovered(pxe(MAC_A)))
        .isInstanceOf(DiscoveryOutcome.AlreadyKnown.class);
    await().until(() -> install(client, MAC_A).getStatus().getLastDhcpEventAt() != null);
    clock.advance(Duration.ofSeconds(70));
    wake(MAC_A);
    wake(MAC_B);

    await().until(() -> install(client, MAC_B) == null);
    assertThat(install(client, MAC_A)).isNotNull();
    assertThat(install(client, MAC_A).getStatus().getPhase())
        .isEqualTo(NodeInstallPhase.AwaitingApproval);

    clock.advance(Duration.ofSeconds(60));
    wake(MAC_A);
    await().until(() -> install(client, MAC_A) == null);
  }

  @Test
  void shouldReleaseTheSlotAndDeleteTheInstallWhenNoBootScriptWasFetchedInTime() {
    Fixtures.create(client, slot("peach-beach", "10.11.0.2", "peach-beach"));
    Fixtures.create(client, slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows"));
    start(Map.of("claimPolicy", "approval", "unbootedRelease", "5m"));
    operator.reports().discovered(pxe(MAC_A));
    operator.reports().discovered(pxe(MAC_B));
    for (String mac : new String[] {MAC_A, MAC_B}) {
      awaitPhase(mac, NodeInstallPhase.AwaitingApproval);
      Fixtures.annotate(
          client, Mac.parse(mac).objectName(), ApiConstants.ANNOTATION_APPROVED, "true");
      awaitPhase(mac, NodeInstallPhase.Installing);
    }
    String slotOfA = install(client, MAC_A).getSpec().getSlot();
    String slotOfB = install(client, MAC_B).getSpec().getSlot();
    operator
        .reports()
        .bootScriptServed(
            Mac.parse(MAC_B).objectName(),
            lan.homelab.pxe.config.Ipv4.parse(install(client, MAC_B).getStatus().getAddress()));
    await().until(() -> install(client, MAC_B).getStatus().getBootScriptServedAt() != null);

    clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    wake(MAC_B);
    wake(MAC_A);

    await().until(() -> install(client, MAC_A) == null);
    assertThat(Fixtures.labels(slot(client, slotOfA)))
        .doesNotContainKey(ApiConstants.LABEL_CLAIMED_BY)
        .doesNotContainKey(ApiConstants.LABEL_RESERVED_FOR);
    assertThat(Fixtures.eventReasons(client, slotOfA)).contains("UnbootedReleased");
    NodeInstall booted = install(client, MAC_B);
    assertThat(booted.getStatus().getPhase()).isEqualTo(NodeInstallPhase.Installing);
    assertThat(booted.getSpec().getSlot()).isEqualTo(slotOfB);
  }
}
