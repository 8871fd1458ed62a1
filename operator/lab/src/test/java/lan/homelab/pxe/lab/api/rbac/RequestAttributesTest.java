package lan.homelab.pxe.lab.api.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request attributes as kube-apiserver's RequestInfoFactory derives them. */
class RequestAttributesTest {
  private static final String SECRETS = "/api/v1/namespaces/pxe-system/secrets";

  private static RequestAttributes get(String path, Map<String, String> query) {
    return RequestAttributes.of("GET", path, query);
  }

  @Test
  void shouldReadGetListAndWatchFromTheMethodTheNameAndTheWatchParameter() {
    assertThat(get(SECRETS + "/pxe-tls", Map.of()))
        .isEqualTo(
            new RequestAttributes(
                true,
                "get",
                SECRETS + "/pxe-tls",
                "",
                "v1",
                "pxe-system",
                "secrets",
                "",
                "pxe-tls"));
    assertThat(get(SECRETS, Map.of()).verb()).isEqualTo("list");
    assertThat(get(SECRETS, Map.of("watch", "true")).verb()).isEqualTo("watch");
    assertThat(get(SECRETS, Map.of("watch", "1")).verb()).isEqualTo("watch");
    assertThat(get(SECRETS, Map.of("watch", "false")).verb()).isEqualTo("list");
    assertThat(get(SECRETS, Map.of("watch", "0")).verb()).isEqualTo("list");
    assertThat(RequestAttributes.of("HEAD", SECRETS + "/x", Map.of()).verb()).isEqualTo("get");
  }

  @Test
  void shouldMapWritesToCreateUpdatePatchDeleteAndDeletecollection() {
    assertThat(RequestAttributes.of("POST", SECRETS, Map.of()).verb()).isEqualTo("create");
    assertThat(RequestAttributes.of("PUT", SECRETS + "/x", Map.of()).verb()).isEqualTo("update");
    assertThat(RequestAttributes.of("PATCH", SECRETS + "/x", Map.of()).verb()).isEqualTo("patch");
    assertThat(RequestAttributes.of("DELETE", SECRETS + "/x", Map.of()).verb()).isEqualTo("delete");
    assertThat(RequestAttributes.of("DELETE", SECRETS, Map.of()).verb())
        .isEqualTo("deletecollection");
  }

  @Test
  void shouldGiveAListOrWatchTheNameItsFieldSelectorPins() {
    assertThat(get(SECRETS, Map.of("watch", "true", "fieldSelector", "metadata.name=pxe-tls")))
        .extracting(RequestAttributes::verb, RequestAttributes::name)
        .containsExactly("watch", "pxe-tls");
    assertThat(get(SECRETS, Map.of("fieldSelector", "metadata.name==pxe-tls")).name())
        .isEqualTo("pxe-tls");
    assertThat(get(SECRETS, Map.of("fieldSelector", "type=Opaque,metadata.name=pxe-tls")).name())
        .isEqualTo("pxe-tls");
  }

  @Test
  void shouldLeaveTheNameEmptyWhenTheFieldSelectorPinsNoValidName() {
    assertThat(get(SECRETS, Map.of("fieldSelector", "metadata.name!=pxe-tls")).name()).isEmpty();
    assertThat(get(SECRETS, Map.of("fieldSelector", "metadata.namespace=pxe-system")).name())
        .isEmpty();
    assertThat(get(SECRETS, Map.of("fieldSelector", "metadata.name=a/b")).name()).isEmpty();
    assertThat(get(SECRETS, Map.of("fieldSelector", "metadata.name=..")).name()).isEmpty();
  }

  @Test
  void shouldSplitGroupVersionNamespaceResourceAndSubresource() {
    RequestAttributes status =
        RequestAttributes.of(
            "PATCH",
            "/apis/pxe.homelab.lan/v1alpha1/namespaces/pxe-system/nodeinstalls/aa-bb/status",
            Map.of());
    assertThat(status)
        .extracting(
            RequestAttributes::apiGroup,
            RequestAttributes::apiVersion,
            RequestAttributes::namespace,
            RequestAttributes::resource,
            RequestAttributes::name,
            RequestAttributes::subresource,
            RequestAttributes::combinedResource)
        .containsExactly(
            "pxe.homelab.lan",
            "v1alpha1",
            "pxe-system",
            "nodeinstalls",
            "aa-bb",
            "status",
            "nodeinstalls/status");
  }

  @Test
  void shouldTreatANamespaceAndItsStatusAsClusterScopedNamespaces() {
    assertThat(get("/api/v1/namespaces/pxe-system", Map.of()))
        .extracting(
            RequestAttributes::namespace, RequestAttributes::resource, RequestAttributes::name)
        .containsExactly("pxe-system", "namespaces", "pxe-system");
    assertThat(RequestAttributes.of("PUT", "/api/v1/namespaces/pxe-system/finalize", Map.of()))
        .extracting(RequestAttributes::resource, RequestAttributes::subresource)
        .containsExactly("namespaces", "finalize");
    assertThat(get("/api/v1/namespaces", Map.of()))
        .extracting(RequestAttributes::namespace, RequestAttributes::verb)
        .containsExactly("", "list");
  }

  @Test
  void shouldReadTheLegacyWatchPrefixAsTheWatchVerb() {
    assertThat(get("/api/v1/watch/namespaces/pxe-system/configmaps", Map.of()))
        .extracting(
            RequestAttributes::verb, RequestAttributes::namespace, RequestAttributes::resource)
        .containsExactly("watch", "pxe-system", "configmaps");
  }

  @Test
  void shouldTreatDiscoveryVersionAndOpenApiAsNonResourceRequests() {
    for (String path :
        new String[] {"/api", "/api/v1", "/apis", "/apis/apps", "/version", "/openapi/v2", "/"}) {
      RequestAttributes attributes = get(path, Map.of());
      assertThat(attributes.resourceRequest()).as(path).isFalse();
      assertThat(attributes.verb()).as(path).isEqualTo("get");
      assertThat(attributes.path()).as(path).isEqualTo(path);
    }
    assertThat(get("/apis/apps/v1", Map.of()).resourceRequest()).isFalse();
    assertThat(RequestAttributes.of("POST", "/healthz", Map.of()).verb()).isEqualTo("post");
  }
}
