package lan.homelab.pxe.chart;

import static lan.homelab.pxe.chart.HelmChart.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
 * walks machines through the whole lifecycle while the mock API records every request it makes;
 * each request must be allowed by the chart's Role, and every permission of the Role must have been
 * used.
 */
class OperatorStaysInItsRoleTest {
  private static final Mac FIRST = Mac.parse("52:54:00:00:01:01");
  private static final Mac SECOND = Mac.parse("52:54:00:00:01:02");

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

  @Test
  void shouldCallTheApiOnlyAsItsRoleAllowsAndUseEveryPermissionItGrants() throws Exception {
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
        new OperatorMain(api.server.createClient(), ChartTest.settings(objects), Clock.systemUTC())
            .withLeaderElection("only-replica", Duration.ofSeconds(10))
            .withHttpPort(0)
            .start();
    var reports = operator.reports();
    reports.discovered(
        new DiscoveryReport(FIRST, Ipv4.parse("10.11.3.200"), ClientType.PXE, "bios", "vmbr0"));
    awaitPhase(FIRST, NodeInstallPhase.Installing);
    assertThat(
            reports.webhookReceived(
                FIRST.objectName(),
                token(FIRST),
                new WebhookReport(List.of(FIRST), token(FIRST), new InstallInventory())))
        .isEqualTo(WebhookOutcome.ACCEPTED);
    awaitPhase(FIRST, NodeInstallPhase.Provisioned);
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
}
