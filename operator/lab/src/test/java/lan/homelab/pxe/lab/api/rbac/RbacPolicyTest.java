package lan.homelab.pxe.lab.api.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RBAC decisions as kube-apiserver's RBAC authorizer makes them: rules x bindings x requests. */
class RbacPolicyTest {
  private static final String NS = "pxe-system";
  private static final UserInfo BOOT = UserInfo.serviceAccount(NS, "pxe-boot");
  private static final UserInfo OPERATOR = UserInfo.serviceAccount(NS, "pxe-operator");
  private static final UserInfo STRANGER = UserInfo.serviceAccount("other", "pxe-boot");

  private static RbacPolicy policy(String... yamlStreams) {
    List<ClusterRole> clusterRoles = new ArrayList<>(BootstrapPolicy.clusterRoles());
    List<ClusterRoleBinding> clusterRoleBindings =
        new ArrayList<>(BootstrapPolicy.clusterRoleBindings());
    List<Role> roles = new ArrayList<>();
    List<RoleBinding> roleBindings = new ArrayList<>();
    for (String yaml : yamlStreams) {
      for (String document : yaml.split("(?m)^---$")) {
        HasMetadata object = Serialization.unmarshal(document);
        if (object instanceof ClusterRole r) {
          clusterRoles.add(r);
        } else if (object instanceof ClusterRoleBinding b) {
          clusterRoleBindings.add(b);
        } else if (object instanceof Role r) {
          roles.add(r);
        } else if (object instanceof RoleBinding b) {
          roleBindings.add(b);
        } else {
          throw new IllegalArgumentException(object.getKind());
        }
      }
    }
    return new RbacPolicy(clusterRoles, clusterRoleBindings, roles, roleBindings);
  }

  private static RequestAttributes request(String method, String path) {
    return request(method, path, Map.of());
  }

  private static RequestAttributes request(String method, String path, Map<String, String> query) {
    return RequestAttributes.of(method, path, query);
  }

  private static boolean allowed(
      RbacPolicy policy, UserInfo user, String method, String path, Map<String, String> query) {
    return policy.authorize(user, request(method, path, query)).allowed();
  }

  private static boolean allowed(RbacPolicy policy, UserInfo user, String method, String path) {
    return allowed(policy, user, method, path, Map.of());
  }

  @Test
  void shouldAllowWhatARoleBoundInTheNamespaceGrantsAndNothingElse() {
    RbacPolicy policy = policy(RbacFixtures.BOOT_RBAC);
    String configMaps = "/api/v1/namespaces/pxe-system/configmaps";

    assertThat(allowed(policy, BOOT, "GET", configMaps + "/pxe-dnsmasq")).isTrue();
    assertThat(allowed(policy, BOOT, "GET", configMaps)).isTrue();
    assertThat(allowed(policy, BOOT, "GET", configMaps, Map.of("watch", "true"))).isTrue();
    assertThat(allowed(policy, BOOT, "POST", configMaps)).isFalse();
    assertThat(allowed(policy, BOOT, "DELETE", configMaps + "/pxe-dnsmasq")).isFalse();
    assertThat(allowed(policy, BOOT, "GET", "/api/v1/namespaces/default/configmaps")).isFalse();
    assertThat(allowed(policy, BOOT, "GET", "/api/v1/configmaps")).as("all namespaces").isFalse();
    assertThat(allowed(policy, OPERATOR, "GET", configMaps)).as("another account").isFalse();
    assertThat(allowed(policy, STRANGER, "GET", "/api/v1/namespaces/other/configmaps"))
        .as("same name, other namespace")
        .isFalse();
  }

  @Test
  void shouldHonourResourceNamesOnGetButNeverOnAnUnpinnedListOrWatch() {
    RbacPolicy policy = policy(RbacFixtures.BOOT_RBAC);
    String secrets = "/api/v1/namespaces/pxe-system/secrets";

    assertThat(allowed(policy, BOOT, "GET", secrets + "/pxe-tls")).isTrue();
    assertThat(allowed(policy, BOOT, "GET", secrets + "/pxe-dhcp-hook")).isTrue();
    assertThat(allowed(policy, BOOT, "GET", secrets + "/pxe-root-password")).isFalse();
    assertThat(allowed(policy, BOOT, "GET", secrets)).as("list").isFalse();
    assertThat(allowed(policy, BOOT, "GET", secrets, Map.of("watch", "true")))
        .as("watch")
        .isFalse();
    assertThat(allowed(policy, BOOT, "GET", secrets, Map.of("labelSelector", "a=b")))
        .as("a label selector pins no name")
        .isFalse();
  }

  @Test
  void shouldAllowAListOrWatchPinnedToAGrantedNameByFieldSelector() {
    RbacPolicy policy = policy(RbacFixtures.BOOT_RBAC);
    String secrets = "/api/v1/namespaces/pxe-system/secrets";
    Map<String, String> watchTls =
        Map.of("watch", "true", "fieldSelector", "metadata.name=pxe-tls");
    Map<String, String> listTls = Map.of("fieldSelector", "metadata.name=pxe-tls");
    Map<String, String> watchRoot =
        Map.of("watch", "true", "fieldSelector", "metadata.name=pxe-root-password");

    assertThat(allowed(policy, BOOT, "GET", secrets, watchTls)).isTrue();
    assertThat(allowed(policy, BOOT, "GET", secrets, listTls)).isTrue();
    assertThat(allowed(policy, BOOT, "GET", secrets, watchRoot)).isFalse();
    assertThat(
            allowed(
                policy,
                BOOT,
                "GET",
                secrets,
                Map.of("fieldSelector", "metadata.name!=pxe-root-password")))
        .isFalse();
  }

  @Test
  void shouldMatchWildcardVerbsGroupsResourcesAndSubresources() {
    RbacPolicy policy =
        policy(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: wide, namespace: pxe-system}
            rules:
              - apiGroups: ["pxe.homelab.lan"]
                resources: ["*"]
                verbs: ["get"]
              - apiGroups: ["*"]
                resources: ["*/status"]
                verbs: ["patch"]
              - apiGroups: ["coordination.k8s.io"]
                resources: ["leases"]
                verbs: ["*"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: wide, namespace: pxe-system}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: wide}
            subjects:
              - {kind: ServiceAccount, name: pxe-operator}
            """);
    String pxe = "/apis/pxe.homelab.lan/v1alpha1/namespaces/pxe-system/";

    assertThat(allowed(policy, OPERATOR, "GET", pxe + "nodeinstalls/a")).isTrue();
    assertThat(allowed(policy, OPERATOR, "GET", pxe + "provisioningslots/s/status"))
        .as("* covers subresources")
        .isTrue();
    assertThat(allowed(policy, OPERATOR, "PUT", pxe + "nodeinstalls/a")).isFalse();
    assertThat(allowed(policy, OPERATOR, "PATCH", pxe + "nodeinstalls/a/status")).isTrue();
    assertThat(
            allowed(
                policy,
                OPERATOR,
                "PATCH",
                "/apis/apps/v1/namespaces/pxe-system/deployments/d/status"))
        .isTrue();
    assertThat(allowed(policy, OPERATOR, "PATCH", pxe + "nodeinstalls/a"))
        .as("*/status is not the object")
        .isFalse();
    assertThat(
            allowed(
                policy,
                OPERATOR,
                "DELETE",
                "/apis/coordination.k8s.io/v1/namespaces/pxe-system/leases/l"))
        .isTrue();
    assertThat(allowed(policy, OPERATOR, "GET", "/api/v1/namespaces/pxe-system/secrets/x"))
        .isFalse();
  }

  @Test
  void
      shouldApplyAClusterRoleEverywhereThroughAClusterRoleBindingButOnlyInItsNamespaceThroughARoleBinding() {
    String readPods =
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: pod-reader}
        rules:
          - apiGroups: [""]
            resources: ["pods"]
            verbs: ["list"]
        """;
    RbacPolicy namespaced =
        policy(
            readPods,
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: pods, namespace: pxe-system}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
            subjects:
              - {kind: Group, name: "system:serviceaccounts:pxe-system"}
            """);
    RbacPolicy clusterWide =
        policy(
            readPods,
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: pods}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
            subjects:
              - {kind: User, name: "system:serviceaccount:pxe-system:pxe-boot"}
            """);

    assertThat(allowed(namespaced, BOOT, "GET", "/api/v1/namespaces/pxe-system/pods")).isTrue();
    assertThat(allowed(namespaced, OPERATOR, "GET", "/api/v1/namespaces/pxe-system/pods"))
        .as("the whole namespace's group")
        .isTrue();
    assertThat(allowed(namespaced, BOOT, "GET", "/api/v1/namespaces/default/pods")).isFalse();
    assertThat(allowed(namespaced, BOOT, "GET", "/api/v1/pods")).isFalse();
    assertThat(allowed(clusterWide, BOOT, "GET", "/api/v1/namespaces/default/pods")).isTrue();
    assertThat(allowed(clusterWide, BOOT, "GET", "/api/v1/pods")).isTrue();
    assertThat(allowed(clusterWide, OPERATOR, "GET", "/api/v1/pods")).isFalse();
  }

  @Test
  void shouldIgnoreABindingToARoleOfAnotherNamespaceOrToARoleThatDoesNotExist() {
    RbacPolicy policy =
        policy(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: pxe-boot, namespace: default}
            rules:
              - apiGroups: [""]
                resources: ["configmaps"]
                verbs: ["get"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: pxe-boot, namespace: pxe-system}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pxe-boot}
            subjects:
              - {kind: ServiceAccount, name: pxe-boot, namespace: pxe-system}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: missing, namespace: pxe-system}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: missing}
            subjects:
              - {kind: ServiceAccount, name: pxe-boot, namespace: pxe-system}
            """);

    assertThat(allowed(policy, BOOT, "GET", "/api/v1/namespaces/pxe-system/configmaps/x"))
        .isFalse();
    assertThat(allowed(policy, BOOT, "GET", "/api/v1/namespaces/default/configmaps/x")).isFalse();
  }

  @Test
  void shouldLetEveryAuthenticatedUserDiscoverAndReviewItselfButNothingMore() {
    RbacPolicy policy = policy();

    for (String path :
        new String[] {
          "/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/openapi/v2", "/healthz"
        }) {
      assertThat(allowed(policy, OPERATOR, "GET", path)).as(path).isTrue();
    }
    assertThat(
            allowed(
                policy, OPERATOR, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"))
        .isTrue();
    assertThat(
            allowed(
                policy, OPERATOR, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"))
        .isTrue();
    assertThat(allowed(policy, OPERATOR, "GET", "/metrics")).isFalse();
    assertThat(allowed(policy, OPERATOR, "POST", "/api")).as("discovery is get only").isFalse();
    assertThat(allowed(policy, OPERATOR, "GET", "/api/v1/namespaces/pxe-system/secrets")).isFalse();
    assertThat(allowed(policy, OPERATOR, "GET", "/api/v1/namespaces")).isFalse();
  }

  @Test
  void shouldMatchNonResourceUrlsExactlyOrByTrailingStar() {
    RbacPolicy policy =
        policy(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: metrics}
            rules:
              - nonResourceURLs: ["/metrics", "/logs/*"]
                verbs: ["get"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: metrics}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics}
            subjects:
              - {kind: ServiceAccount, name: pxe-operator, namespace: pxe-system}
            """);

    assertThat(allowed(policy, OPERATOR, "GET", "/metrics")).isTrue();
    assertThat(allowed(policy, OPERATOR, "GET", "/metrics/extra")).isFalse();
    assertThat(allowed(policy, OPERATOR, "GET", "/logs/kube.log")).isTrue();
    assertThat(allowed(policy, OPERATOR, "POST", "/metrics")).isFalse();
    assertThat(allowed(policy, BOOT, "GET", "/metrics")).isFalse();
  }

  @Test
  void shouldAllowClusterAdminsEverything() {
    RbacPolicy policy = policy();
    UserInfo admin = UserInfo.clusterAdmin("lab-admin");

    assertThat(allowed(policy, admin, "DELETE", "/api/v1/namespaces/pxe-system/secrets")).isTrue();
    assertThat(allowed(policy, admin, "GET", "/metrics")).isTrue();
    assertThat(policy.authorize(admin, request("GET", "/api/v1/nodes")).reason())
        .isEqualTo("ClusterRoleBinding cluster-admin");
  }

  @Test
  void shouldDescribeADenialAsKubeApiserverDoes() {
    RbacPolicy policy = policy(RbacFixtures.BOOT_RBAC);

    assertThat(
            policy
                .authorize(BOOT, request("GET", "/api/v1/namespaces/pxe-system/secrets"))
                .forbiddenMessage())
        .isEqualTo(
            "secrets is forbidden: User \"system:serviceaccount:pxe-system:pxe-boot\" cannot list"
                + " resource \"secrets\" in API group \"\" in the namespace \"pxe-system\"");
    assertThat(
            policy
                .authorize(
                    BOOT, request("GET", "/api/v1/namespaces/pxe-system/secrets/pxe-root-password"))
                .forbiddenMessage())
        .isEqualTo(
            "secrets \"pxe-root-password\" is forbidden: User"
                + " \"system:serviceaccount:pxe-system:pxe-boot\" cannot get resource \"secrets\""
                + " in API group \"\" in the namespace \"pxe-system\"");
    assertThat(
            policy
                .authorize(
                    BOOT,
                    request(
                        "PATCH",
                        "/apis/pxe.homelab.lan/v1alpha1/namespaces/pxe-system/nodeinstalls/a/status"))
                .forbiddenMessage())
        .isEqualTo(
            "nodeinstalls.pxe.homelab.lan \"a\" is forbidden: User"
                + " \"system:serviceaccount:pxe-system:pxe-boot\" cannot patch resource"
                + " \"nodeinstalls/status\" in API group \"pxe.homelab.lan\" in the namespace"
                + " \"pxe-system\"");
    assertThat(policy.authorize(BOOT, request("GET", "/api/v1/nodes")).forbiddenMessage())
        .isEqualTo(
            "nodes is forbidden: User \"system:serviceaccount:pxe-system:pxe-boot\" cannot list"
                + " resource \"nodes\" in API group \"\" at the cluster scope");
    assertThat(policy.authorize(BOOT, request("GET", "/metrics")).forbiddenMessage())
        .isEqualTo(
            "forbidden: User \"system:serviceaccount:pxe-system:pxe-boot\" cannot get path"
                + " \"/metrics\"");
  }

  @Test
  void shouldListTheRulesThatApplyInANamespaceForARulesReview() {
    RbacPolicy policy = policy(RbacFixtures.BOOT_RBAC);

    assertThat(policy.rulesFor(BOOT, NS))
        .anySatisfy(
            r -> assertThat(r.getResourceNames()).containsExactly("pxe-dhcp-hook", "pxe-tls"))
        .anySatisfy(r -> assertThat(r.getNonResourceURLs()).contains("/apis/*"));
    assertThat(policy.rulesFor(BOOT, "default"))
        .noneSatisfy(r -> assertThat(r.getResources()).contains("configmaps"));
  }
}
