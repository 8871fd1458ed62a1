package lan.homelab.pxe.chart;

import static lan.homelab.pxe.chart.HelmChart.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rendered chart applies to an API server, and the operator it starts stays inside its Role.
 */
class ChartOnMockServerTest {
  private MockApi api;

  @BeforeEach
  void startApi() {
    api = MockApi.start("127.0.0.1", 0).createCrds(HelmChart.chartDir().resolve("crds"));
  }

  @AfterEach
  void stopApi() {
    api.close();
  }

  @Test
  void shouldApplyEveryRenderedObjectAndReadTheSlotsBack() {
    List<HasMetadata> objects = HelmChart.render(null);

    List<HasMetadata> created = api.apply(objects);

    assertThat(created).hasSameSizeAs(objects);
    assertThat(created).allSatisfy(o -> assertThat(o.getMetadata().getUid()).isNotBlank());
    var slots =
        api.client.resources(ProvisioningSlot.class).inNamespace(NAMESPACE).list().getItems();
    assertThat(slots)
        .extracting(s -> s.getSpec().getAddress())
        .containsExactlyInAnyOrder("10.11.0.2", "10.11.0.3", "10.11.0.4", "10.11.0.5", "10.11.0.6");
    assertThat(api.client.apps().deployments().inNamespace(NAMESPACE).list().getItems())
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder("pxe-operator", "pxe-boot");
  }

  @Test
  void shouldBindTheOperatorsRoleToTheAccountItsPodRunsAs() {
    List<HasMetadata> objects = HelmChart.render(null);
    Deployment deployment = HelmChart.one(objects, Deployment.class, "pxe-operator");
    RoleBinding binding = HelmChart.one(objects, RoleBinding.class, "pxe-operator");

    assertThat(binding.getRoleRef().getName()).isEqualTo("pxe-operator");
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName())
                  .isEqualTo(deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
  }

  @Test
  void shouldCountOnlyTheRequestsOfOtherClients() throws Exception {
    api.drainAccesses();
    try (var other = api.server.createClient()) {
      other.configMaps().inNamespace(NAMESPACE).list();
      api.client.secrets().inNamespace(NAMESPACE).list();

      assertThat(api.drainAccesses()).containsExactly(ApiAccess.of("", "configmaps", "list"));
    }
  }
}
