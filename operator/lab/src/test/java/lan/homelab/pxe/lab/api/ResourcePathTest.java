package lan.homelab.pxe.lab.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourcePathTest {
  @Test
  void shouldSplitANamespacedCustomResourceStatusPath() {
    var path =
        ResourcePath.parse("/apis/pxe.homelab.lan/v1alpha1/namespaces/ns/nodeinstalls/n1/status")
            .orElseThrow();

    assertThat(path)
        .isEqualTo(
            new ResourcePath("pxe.homelab.lan", "v1alpha1", "ns", "nodeinstalls", "n1", "status"));
    assertThat(path.collectionPath())
        .isEqualTo("/apis/pxe.homelab.lan/v1alpha1/namespaces/ns/nodeinstalls");
    assertThat(path.qualifiedResource()).isEqualTo("nodeinstalls.pxe.homelab.lan");
  }

  @Test
  void shouldReadNamespacesAsAClusterScopedCoreResource() {
    assertThat(ResourcePath.parse("/api/v1/namespaces/demo").orElseThrow())
        .isEqualTo(new ResourcePath("", "v1", null, "namespaces", "demo", null));
    assertThat(ResourcePath.parse("/api/v1/namespaces/demo/status").orElseThrow().subresource())
        .isEqualTo("status");
    assertThat(ResourcePath.parse("/api/v1/namespaces/demo/configmaps").orElseThrow().plural())
        .isEqualTo("configmaps");
  }

  @Test
  void shouldNotParseDiscoveryPaths() {
    assertThat(ResourcePath.parse("/api/v1")).isEmpty();
    assertThat(ResourcePath.parse("/apis/pxe.homelab.lan/v1alpha1")).isEmpty();
  }
}
