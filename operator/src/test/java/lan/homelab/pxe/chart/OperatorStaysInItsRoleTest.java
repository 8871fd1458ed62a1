package lan.homelab.pxe.chart;

import static lan.homelab.pxe.chart.HelmChart.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.InstallInventory;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.install.ClientType;
import lan.homelab.pxe.install.DiscoveryReport;
import lan.homelab.pxe.install.WebhookOutcome;
import lan.homelab.pxe.install.WebhookReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RBAC covers what the operator calls and no more: the operator, started from the chart's settings,
 * walks machines through the whole lifecycle, and every HTTP endpoint is called on the way, while
 * the mock API records every request it makes; each request must be allowed by the chart's Role,
 * and every permission of the Role must have been used. (The lab module's
 * OperatorUnderTheChartsRoleTest runs the same operator against an API that enforces the Role.)
 */
class OperatorStaysInItsRoleTest {
  private static final Mac FIRST = Mac.parse("52:54:00:00:01:01");
  private static final Mac SECOND = Mac.parse("52:54:00:00:01:02");
  private static final int BURST = 300;

  /**
   * Granted though this walk does not reach them: taking over another replica's lease, and
   * replacing a root-password hash or TLS Secret after the user changed or broke it.
   */
  private static final Set<ApiAccess> USED_ONLY_ON_RARE_PATHS =
      Set.of(
          ApiAccess.of("coordination.k8s.io", "leases", "update"),
          ApiAccess.of("", "secrets", "update"));

  private MockApi api;
  private OperatorMain operator;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startApi() {
    api = MockApi.start("127.0.0.1", 0).createCrds(HelmChart.chartDir().resolve("crds"));
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    api.close();
  }

  private NodeInstall install(Mac mac) {
    return api.client
        .resources(NodeInstall.class)
        .inNamespace(NAMESPACE)
        .withName(mac.objectName())
        .get();
  }

  private void awaitPhase(Mac mac, NodeInstallPhase phase) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              NodeInstall ni = install(mac);
              return ni != null && ni.getStatus() != null && ni.getStatus().getPhase() == phase;
            });
  }

  private String token(Mac mac) {
    var secret =
        api.client
            .secrets()
            .inNamespace(NAMESPACE)
            .withName(Names.tokenSecret(mac.objectName()))
            .get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(Names.KEY_TOKEN)), StandardCharsets.UTF_8);
  }

  private HttpResponse<String> get(String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every endpoint a person, Prometheus or the kubelet calls answers 200 with what it should. */
  private void assertEveryHttpEndpointServes(Mac provisioned) {
    assertThat(get("/healthz")).satisfies(r -> assertOk(r, "\"status\":\"ok\""));
    assertThat(get("/readyz")).satisfies(r -> assertOk(r, "\"status\":\"ready\""));
    assertThat(get("/")).satisfies(r -> assertOk(r, "<script src=\"status.js\"></script>"));
    assertThat(get("/status.js")).satisfies(r -> assertOk(r, "/api/v1/status"));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(get("/api/v1/status"))
                    .satisfies(
                        r ->
                            assertOk(
                                r,
                                "\"name\":\"" + provisioned.objectName() + "\"",
                                "\"phase\":\"Provisioned\"",
                                "\"lastEvent\":{\"type\":\"Normal\"")));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(get("/metrics"))
                    .satisfies(
                        r ->
                            assertOk(
                                r,
                                "pxe_installs{phase=\"Provisioned\"} 1.0",
                                "pxe_slots{phase=\"Provisioned\"} 1.0",
                                "# TYPE pxe_installs gauge")));
  }

  private static void assertOk(HttpResponse<String> response, String... contains) {
    assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(200);
    assertThat(response.body()).contains(contains);
  }

  /** The chart's objects in the API, the operator started with the chart's settings. */
  private List<HasMetadata> startOperatorAsTheChartRunsIt() throws InterruptedException {
    List<HasMetadata> objects = HelmChart.render(null);
    api.apply(objects);
    api.client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_ROOT_PASSWORD)
                .endMetadata()
                .addToStringData("password", "correct horse battery")
                .build())
        .create();
    api.drainAccesses();

    operator =
        new OperatorMain(api.server.createClient(), HelmChart.settings(objects), Clock.systemUTC())
            .withLeaderElection("only-replica", Duration.ofSeconds(10))
            .withHttpPort(0)
            .start();
    return objects;
  }

  private void provision(Mac mac, String address) {
    var reports = operator.reports();
    reports.discovered(
        new DiscoveryReport(mac, Ipv4.parse(address), ClientType.PXE, "bios", "vmbr0"));
    awaitPhase(mac, NodeInstallPhase.Installing);
    assertThat(
            reports.webhookReceived(
                mac.objectName(),
                token(mac),
                new WebhookReport(List.of(mac), token(mac), new InstallInventory())))
        .isEqualTo(WebhookOutcome.ACCEPTED);
    awaitPhase(mac, NodeInstallPhase.Provisioned);
  }

  @Test
  void shouldCallTheApiOnlyAsItsRoleAllowsAndUseEveryPermissionItGrants() throws Exception {
    List<HasMetadata> objects = startOperatorAsTheChartRunsIt();
    var reports = operator.reports();
    provision(FIRST, "10.11.3.200");
    assertEveryHttpEndpointServes(FIRST);
    reports.discovered(
        new DiscoveryReport(SECOND, Ipv4.parse("10.11.3.201"), ClientType.PXE, "bios", "vmbr0"));
    awaitPhase(SECOND, NodeInstallPhase.Installing);
    api.client
        .resources(NodeInstall.class)
        .inNamespace(NAMESPACE)
        .withName(SECOND.objectName())
        .delete();
    await().atMost(Duration.ofSeconds(60)).until(() -> install(SECOND) == null);

    Set<ApiAccess> used = new TreeSet<>(api.drainAccesses());
    used.removeIf(ApiAccess::allowedToEveryUser);
    Role role = HelmChart.one(objects, Role.class, "pxe-operator");
    Set<ApiAccess> granted = ApiAccess.granted(role.getRules());

    assertThat(ApiAccess.describe(difference(used, granted)))
        .as("requests the Role does not allow")
        .isEmpty();
    assertThat(ApiAccess.describe(difference(granted, used)))
        .as("permissions the Role grants but the operator never used")
        .containsExactlyInAnyOrderElementsOf(ApiAccess.describe(USED_ONLY_ON_RARE_PATHS));
  }

  private static Set<ApiAccess> difference(Set<ApiAccess> a, Set<ApiAccess> b) {
    Set<ApiAccess> result = new TreeSet<>(a);
    result.removeAll(b);
    return result;
  }

  @Test
  void shouldServeABurstOfStatusPageJsonAndMetricsRequestsWithoutReadingTheApi() throws Exception {
    startOperatorAsTheChartRunsIt();
    provision(FIRST, "10.11.3.200");
    assertEveryHttpEndpointServes(FIRST);
    api.drainAccesses();

    List<String> paths = List.of("/api/v1/status", "/metrics", "/");
    ExecutorService browsers = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        String path = paths.get(i % paths.size());
        answers.add(browsers.submit(() -> get(path).statusCode()));
      }
      for (Future<Integer> answer : answers) {
        assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo(200);
      }
    } finally {
      browsers.shutdownNow();
    }

    assertThat(ApiAccess.describe(api.drainAccesses()))
        .as("reads of what the status shows while %d requests were served", BURST)
        .noneMatch(a -> a.matches(".*(nodeinstalls|provisioningslots|events) (get|list).*"));
  }
}
