package lan.homelab.pxe.chart;

import static lan.homelab.pxe.chart.ApiAccess.of;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The chart grants the operator exactly what it uses, in its own namespace only. */
class RbacTest {
  private static final String PXE = "pxe.homelab.lan";
  private static final String CORE = "";

  /**
   * Everything the operator does on the API: the one list the Role is checked against. {@link
   * ChartOnMockServerTest} checks the requests the operator really sends against the Role.
   */
  static final Set<ApiAccess> OPERATOR_USES =
      new TreeSet<>(
          Stream.of(
                  verbs(PXE, "provisioningslots", "get", "list", "watch", "update"),
                  verbs(PXE, "nodeinstalls", "get", "list", "watch", "create", "update", "patch"),
                  verbs(PXE, "provisioningslots/status", "patch"),
                  verbs(PXE, "nodeinstalls/status", "patch"),
                  verbs(CORE, "configmaps", "get", "list", "watch", "create", "update", "delete"),
                  verbs(CORE, "secrets", "get", "list", "watch", "create", "update", "delete"),
                  verbs(CORE, "events", "create", "list", "watch"),
                  verbs("coordination.k8s.io", "leases", "get", "create", "update", "patch"))
              .flatMap(List::stream)
              .toList());

  /** The boot pod's sync process only watches the ConfigMaps the operator renders. */
  static final Set<ApiAccess> SYNC_USES =
      new TreeSet<>(
          Stream.of(
                  verbs(CORE, "configmaps", "get", "list", "watch"),
                  verbs(CORE, "secrets", "get", "list", "watch"))
              .flatMap(List::stream)
              .toList());

  @Test
  void shouldGrantTheOperatorExactlyWhatItUses() {
    Role role = HelmChart.one(HelmChart.render(null), Role.class, "pxe-operator");

    assertExactly(ApiAccess.granted(role.getRules()), OPERATOR_USES);
    assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getResourceNames()).isNullOrEmpty());
  }

  @Test
  void shouldGrantTheSyncProcessReadOnlyConfigMaps() {
    Role role = HelmChart.one(HelmChart.render(null), Role.class, "pxe-boot");

    assertExactly(ApiAccess.granted(role.getRules()), SYNC_USES);
  }

  @Test
  void shouldGrantNothingClusterWideAndNoWildcards() {
    List<HasMetadata> objects = ChartTest.parseWithHooks("purge: true\n");

    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .doesNotContain("ClusterRole", "ClusterRoleBinding");
    for (Role role : HelmChart.all(objects, Role.class, r -> true)) {
      assertThat(role.getRules())
          .as(role.getMetadata().getName())
          .allSatisfy(
              r -> {
                assertThat(r.getVerbs()).doesNotContain("*");
                assertThat(r.getResources()).doesNotContain("*");
                assertThat(r.getApiGroups()).doesNotContain("*");
              });
    }
  }

  @Test
  void shouldMapRequestsToThePermissionsTheyNeed() {
    assertThat(
            ApiAccess.fromRequest(
                "GET",
                "/apis/pxe.homelab.lan/v1alpha1/namespaces/x/nodeinstalls?watch=true&resourceVersion=1"))
        .isEqualTo(of(PXE, "nodeinstalls", "watch"));
    assertThat(
            ApiAccess.fromRequest(
                "GET", "/apis/pxe.homelab.lan/v1alpha1/namespaces/x/nodeinstalls"))
        .isEqualTo(of(PXE, "nodeinstalls", "list"));
    assertThat(
            ApiAccess.fromRequest(
                "PATCH", "/apis/pxe.homelab.lan/v1alpha1/namespaces/x/nodeinstalls/a/status"))
        .isEqualTo(of(PXE, "nodeinstalls/status", "patch"));
    assertThat(ApiAccess.fromRequest("PUT", "/apis/coordination.k8s.io/v1/namespaces/x/leases/l"))
        .isEqualTo(of("coordination.k8s.io", "leases", "update"));
    assertThat(ApiAccess.fromRequest("DELETE", "/api/v1/namespaces/x/configmaps/pxe-node-a"))
        .isEqualTo(of(CORE, "configmaps", "delete"));
    assertThat(ApiAccess.fromRequest("POST", "/api/v1/namespaces/x/events"))
        .isEqualTo(of(CORE, "events", "create"));
    assertThat(ApiAccess.fromRequest("GET", "/api/v1/configmaps"))
        .isEqualTo(new ApiAccess(CORE, "configmaps", "list", false));
    assertThat(ApiAccess.fromRequest("GET", "/apis")).isNull();
    assertThat(ApiAccess.fromRequest("GET", "/version")).isNull();
  }

  static void assertExactly(Set<ApiAccess> granted, Set<ApiAccess> used) {
    Set<ApiAccess> extra = new TreeSet<>(granted);
    extra.removeAll(used);
    Set<ApiAccess> missing = new TreeSet<>(used);
    missing.removeAll(granted);
    assertThat(ApiAccess.describe(extra)).as("granted but never used").isEmpty();
    assertThat(ApiAccess.describe(missing)).as("used but not granted").isEmpty();
  }

  private static List<ApiAccess> verbs(String group, String resource, String... verbs) {
    return Stream.of(verbs).map(v -> of(group, resource, v)).toList();
  }
}
