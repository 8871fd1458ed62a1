package lan.homelab.pxe.lab.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.InstallInventory;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.chart.HelmChart;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.install.ClientType;
import lan.homelab.pxe.install.DiscoveryReport;
import lan.homelab.pxe.install.WebhookOutcome;
import lan.homelab.pxe.install.WebhookReport;
import lan.homelab.pxe.lab.api.rbac.AccessDecision;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The honest check of the operator's Role: the operator runs with the pxe-operator ServiceAccount's
 * token against an API that enforces the chart's Role (default values), provisions a machine, and
 * serves every HTTP endpoint; no request it makes is denied.
 */
class OperatorUnderTheChartsRoleTest {
  private static final String NS = HelmChart.NAMESPACE;
  private static final String OPERATOR_USER = "system:serviceaccount:pxe-system:pxe-operator";
  private static final Mac MACHINE = Mac.parse("52:54:00:00:02:01");

  private EmbeddedApiServer api;
  private KubernetesClient admin;
  private KubernetesClient operatorClient;
  private OperatorMain operator;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    api = EmbeddedApiServer.secure("127.0.0.1", 0).start();
    admin = client(api.adminToken());
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    admin.close();
    api.close();
  }

  private KubernetesClient client(String token) {
    Config config =
        new ConfigBuilder()
            .withMasterUrl(api.url())
            .withCaCertData(
                Base64.getEncoder()
                    .encodeToString(api.caCertificatePem().getBytes(StandardCharsets.UTF_8)))
            .withOauthToken(token)
            .withNamespace(NS)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private NodeInstall install() {
    return admin.resources(NodeInstall.class).inNamespace(NS).withName(MACHINE.objectName()).get();
  }

  private void awaitPhase(NodeInstallPhase phase) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              NodeInstall ni = install();
              return ni != null && ni.getStatus() != null && ni.getStatus().getPhase() == phase;
            });
  }

  private String token() {
    var secret = admin.secrets().inNamespace(NS).withName(Names.tokenSecret(MACHINE.objectName()));
    return new String(
        Base64.getDecoder().decode(secret.get().getData().get(Names.KEY_TOKEN)),
        StandardCharsets.UTF_8);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldProvisionAndServeEveryEndpointWithNoRequestDenied() throws Exception {
    List<HasMetadata> objects = HelmChart.render(null);
    for (HasMetadata object : objects) {
      admin.resource(object).create();
    }
    admin
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_ROOT_PASSWORD)
                .endMetadata()
                .addToData(
                    "password",
                    Base64.getEncoder()
                        .encodeToString("correct horse battery".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    api.clearAccessLog();

    operatorClient = client(api.serviceAccountToken(NS, "pxe-operator"));
    operator =
        new OperatorMain(operatorClient, HelmChart.settings(objects), Clock.systemUTC())
            .withLeaderElection("only-replica", Duration.ofSeconds(10))
            .withHttpHost("127.0.0.1")
            .withHttpPort(0)
            .start();
    var reports = operator.reports();
    reports.discovered(
        new DiscoveryReport(MACHINE, Ipv4.parse("10.11.3.200"), ClientType.PXE, "bios", "vmbr0"));
    awaitPhase(NodeInstallPhase.Installing);
    assertThat(
            reports.webhookReceived(
                MACHINE.objectName(),
                token(),
                new WebhookReport(List.of(MACHINE), token(), new InstallInventory())))
        .isEqualTo(WebhookOutcome.ACCEPTED);
    awaitPhase(NodeInstallPhase.Provisioned);

    for (String path : List.of("/", "/status.js", "/healthz", "/readyz")) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(200);
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              HttpResponse<String> status = get("/api/v1/status");
              assertThat(status.statusCode()).isEqualTo(200);
              assertThat(status.body())
                  .contains("\"phase\":\"Provisioned\"", "\"lastEvent\":{\"type\":\"Normal\"");
              HttpResponse<String> metrics = get("/metrics");
              assertThat(metrics.statusCode()).isEqualTo(200);
              assertThat(metrics.body()).contains("pxe_installs{phase=\"Provisioned\"} 1.0");
            });

    assertThat(api.deniedRequests()).extracting(AccessDecision::toString).isEmpty();
    assertThat(api.accessLog())
        .filteredOn(d -> d.user().name().equals(OPERATOR_USER))
        .extracting(AccessDecision::toString)
        .contains(
            OPERATOR_USER + " create authorization.k8s.io/selfsubjectrulesreviews: allowed",
            OPERATOR_USER + " watch events in pxe-system: allowed",
            OPERATOR_USER
                + " patch pxe.homelab.lan/nodeinstalls/status "
                + MACHINE.objectName()
                + " in pxe-system: allowed");
  }
}
