package lan.homelab.pxe.evidence;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.AnswerRequestFacts;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.InstallInventory;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.install.InstallReports;
import lan.homelab.pxe.install.NotificationOutcome;
import lan.homelab.pxe.install.WebhookOutcome;
import lan.homelab.pxe.install.WebhookReport;
import lan.homelab.pxe.status.Conditions;
import lan.homelab.pxe.status.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An operator stopped and replaced by a new one at any step of one machine's lifecycle, or cut off
 * from the API server for a while, ends in the state an uninterrupted run reaches: the first slot,
 * Provisioned, every step recorded, an ignore line instead of the reservation, no answer ConfigMap
 * and no token left.
 */
class CrashRecoveryTest {
  private static final String MAC = "52:54:00:00:00:0a";
  private static final String NAME = Mac.parse(MAC).objectName();

  /** Where the first operator stops; NONE is the uninterrupted run. */
  enum Crash {
    NONE,
    AFTER_CLAIM_LABEL,
    AFTER_RESERVATION,
    AFTER_BOOT_SCRIPT,
    AFTER_ANSWER,
    BEFORE_WEBHOOK,
    AFTER_WEBHOOK
  }

  private MockApi api;
  private KubernetesClient client;
  private OperatorMain operator;

  @BeforeEach
  void startApi() {
    api = new MockApi(NS);
    client = api.client();
    Fixtures.seedSlots(client);
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    api.close();
  }

  private OperatorMain start(KubernetesClient with) {
    operator =
        new OperatorMain(with, OperatorSettings.defaults(), Clock.systemUTC())
            .withHttpPort(0)
            .start();
    return operator;
  }

  private void restart() {
    operator.close();
    start(client);
  }

  @ParameterizedTest(name = "stopped {0}")
  @EnumSource(Crash.class)
  void shouldConvergeToTheUninterruptedStateWhenTheOperatorStopsAtAnyStep(Crash crash) {
    if (crash == Crash.AFTER_CLAIM_LABEL) {
      // What a leader that died between its two claim writes leaves behind.
      NodeInstall ni = new NodeInstall();
      ni.getMetadata().setName(NAME);
      ni.getMetadata().setNamespace(NS);
      ni.setSpec(new NodeInstallSpec());
      ni.getSpec().setMac(MAC);
      client.resource(ni).create();
      client
          .resources(ProvisioningSlot.class)
          .inNamespace(NS)
          .withName("peach-beach")
          .edit(
              s -> {
                s.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, NAME));
                return s;
              });
      start(client);
    } else {
      start(client).reports().discovered(Fixtures.pxe(MAC));
    }
    await().until(() -> phase() == NodeInstallPhase.Installing && hosts().contains("10.11.0.2"));
    if (crash == Crash.AFTER_RESERVATION) {
      restart();
    }
    assertThat(operator.reports().bootScriptServed(NAME, Ipv4.parse("10.11.0.2")))
        .isEqualTo(NotificationOutcome.RECORDED);
    if (crash == Crash.AFTER_BOOT_SCRIPT) {
      restart();
    }
    await().until(() -> operator.reports().installingAt(Ipv4.parse("10.11.0.2")).isPresent());
    assertThat(operator.reports().answerServed(Ipv4.parse("10.11.0.2"), facts())).contains(NAME);
    if (crash == Crash.AFTER_ANSWER) {
      restart();
    }
    await().until(() -> nodeConfigMap() != null);
    String token = token();
    if (crash == Crash.BEFORE_WEBHOOK) {
      // The leader is gone; another replica's HTTP handler takes the webhook.
      operator.close();
      assertThat(standaloneReports(client).webhookReceived(NAME, token, webhook(token)))
          .isEqualTo(WebhookOutcome.ACCEPTED);
      start(client);
    } else {
      assertThat(operator.reports().webhookReceived(NAME, token, webhook(token)))
          .isEqualTo(WebhookOutcome.ACCEPTED);
      if (crash == Crash.AFTER_WEBHOOK) {
        restart();
      }
    }

    awaitConverged();
  }

  @Test
  void shouldConvergeAfterLosingTheApiServerForAWhile() throws Exception {
    try (TcpProxy proxy = new TcpProxy(URI.create(client.getMasterUrl().toString()).getPort());
        KubernetesClient proxied =
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder(client.getConfiguration())
                        .withMasterUrl("http://127.0.0.1:" + proxy.port())
                        .withRequestRetryBackoffLimit(1)
                        .build())
                .build()) {
      start(proxied).reports().discovered(Fixtures.pxe(MAC));
      await().until(() -> phase() == NodeInstallPhase.Installing && nodeConfigMap() != null);
      String token = token();

      proxy.cut();
      // While the operator is cut off, the installer runs and another replica takes its webhook.
      InstallReports other = standaloneReports(client);
      assertThat(other.bootScriptServed(NAME, Ipv4.parse("10.11.0.2")))
          .isEqualTo(NotificationOutcome.RECORDED);
      assertThat(other.answerServed(Ipv4.parse("10.11.0.2"), facts())).contains(NAME);
      assertThat(other.webhookReceived(NAME, token, webhook(token)))
          .isEqualTo(WebhookOutcome.ACCEPTED);
      await().atMost(Duration.ofSeconds(60)).until(() -> proxy.refused() >= 3);
      assertThat(nodeConfigMap()).as("nothing reconciled while cut off").isNotNull();
      await().until(() -> probe("/readyz") == 503);
      assertThat(probe("/healthz")).as("a short outage does not restart it").isEqualTo(200);
      proxy.restore();

      awaitConverged();
      await().until(() -> probe("/readyz") == 200);
    } finally {
      operator.close();
      operator = null;
    }
  }

  /** The status code of one of the operator's probe endpoints. */
  private int probe(String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + operator.httpPort() + path))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private void awaitConverged() {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                phase() == NodeInstallPhase.Provisioned
                    && nodeConfigMap() == null
                    && hostLines().equals(List.of(MAC + ",ignore")));
    NodeInstall done = Fixtures.install(client, MAC);
    assertThat(client.resources(NodeInstall.class).inNamespace(NS).list().getItems()).hasSize(1);
    assertThat(done.getSpec().getSlot()).isEqualTo("peach-beach");
    assertThat(done.getStatus().getAddress()).isEqualTo("10.11.0.2");
    assertThat(done.getStatus().getHostname()).isEqualTo("peach-beach");
    assertThat(done.getStatus().getBootScriptServedAt()).isNotNull();
    assertThat(done.getStatus().getAnswerServedAt()).isNotNull();
    assertThat(done.getStatus().getWebhookReceivedAt()).isNotNull();
    assertThat(done.getStatus().getCompletedAt()).isNotNull();
    assertThat(claims()).isEqualTo(Map.of("peach-beach", NAME));
    assertThat(
            client.configMaps().inNamespace(NS).list().getItems().stream()
                .map(cm -> cm.getMetadata().getName())
                .filter(n -> n.startsWith(Names.CONFIGMAP_NODE_PREFIX)))
        .isEmpty();
    List<String> reasons =
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .filter(e -> NAME.equals(e.getInvolvedObject().getName()))
            .map(e -> e.getReason())
            .toList();
    // An Event is a report, not state: a reconcile of the stopping operator that overlaps the
    // new one may tell the same transition twice, so at least one, not exactly one.
    assertThat(reasons).contains("Provisioned");
  }

  private Map<String, String> claims() {
    return client.resources(ProvisioningSlot.class).inNamespace(NS).list().getItems().stream()
        .filter(s -> Fixtures.labels(s).containsKey(ApiConstants.LABEL_CLAIMED_BY))
        .collect(
            Collectors.toMap(
                s -> s.getMetadata().getName(),
                s -> Fixtures.labels(s).get(ApiConstants.LABEL_CLAIMED_BY)));
  }

  private InstallReports standaloneReports(KubernetesClient with) {
    Clock clock = Clock.systemUTC();
    return new InstallReports(
        with, OperatorSettings.defaults(), new Conditions(clock), new EventRecorder(with, clock));
  }

  private NodeInstallPhase phase() {
    NodeInstall ni = Fixtures.install(client, MAC);
    return ni == null || ni.getStatus() == null ? null : ni.getStatus().getPhase();
  }

  private ConfigMap nodeConfigMap() {
    return client.configMaps().inNamespace(NS).withName(Names.CONFIGMAP_NODE_PREFIX + NAME).get();
  }

  private String hosts() {
    ConfigMap cm =
        client.configMaps().inNamespace(NS).withName(Names.CONFIGMAP_DNSMASQ_HOSTS).get();
    return cm == null ? "" : cm.getData().get(Names.KEY_HOSTS);
  }

  private List<String> hostLines() {
    return hosts().lines().filter(l -> !l.startsWith("#")).toList();
  }

  private String token() {
    var secret = client.secrets().inNamespace(NS).withName(Names.tokenSecret(NAME)).get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(Names.KEY_TOKEN)), StandardCharsets.UTF_8);
  }

  private static AnswerRequestFacts facts() {
    AnswerRequestFacts facts = new AnswerRequestFacts();
    facts.setMacs(List.of(MAC));
    return facts;
  }

  private static WebhookReport webhook(String token) {
    InstallInventory inventory = new InstallInventory();
    inventory.setFqdn("peach-beach.homelab.lan");
    return new WebhookReport(List.of(Mac.parse(MAC)), token, inventory);
  }
}
