package lan.homelab.pxe.lab.api.rbac;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.List;

/**
 * The part of kube-apiserver's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/
 * bootstrappolicy/policy.go, Kubernetes 1.32) that every cluster has and the lab needs: what every
 * authenticated user may do without a Role of its own (discovery, version, health, OpenAPI, the
 * self-reviews that leader election and {@code kubectl auth can-i} create), and cluster-admin for
 * {@code system:masters}.
 */
public final class BootstrapPolicy {
  private static final String AUTHENTICATED = UserInfo.AUTHENTICATED;
  private static final String UNAUTHENTICATED = "system:unauthenticated";

  private BootstrapPolicy() {}

  public static List<ClusterRole> clusterRoles() {
    return List.of(
        role(
            "cluster-admin",
            new PolicyRuleBuilder().withApiGroups("*").withResources("*").withVerbs("*").build(),
            new PolicyRuleBuilder().withNonResourceURLs("*").withVerbs("*").build()),
        role(
            "system:discovery",
            new PolicyRuleBuilder()
                .withNonResourceURLs(
                    "/livez",
                    "/readyz",
                    "/healthz",
                    "/version",
                    "/version/",
                    "/openapi",
                    "/openapi/*",
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*")
                .withVerbs("get")
                .build()),
        role(
            "system:basic-user",
            new PolicyRuleBuilder()
                .withApiGroups("authorization.k8s.io")
                .withResources("selfsubjectaccessreviews", "selfsubjectrulesreviews")
                .withVerbs("create")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("authentication.k8s.io")
                .withResources("selfsubjectreviews")
                .withVerbs("create")
                .build()),
        role(
            "system:public-info-viewer",
            new PolicyRuleBuilder()
                .withNonResourceURLs("/livez", "/readyz", "/healthz", "/version", "/version/")
                .withVerbs("get")
                .build()));
  }

  public static List<ClusterRoleBinding> clusterRoleBindings() {
    return List.of(
        binding("cluster-admin", UserInfo.MASTERS),
        binding("system:discovery", AUTHENTICATED),
        binding("system:basic-user", AUTHENTICATED),
        binding("system:public-info-viewer", AUTHENTICATED, UNAUTHENTICATED));
  }

  private static ClusterRole role(String name, PolicyRule... rules) {
    return new ClusterRoleBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("kubernetes.io/bootstrapping", "rbac-defaults")
        .endMetadata()
        .withRules(rules)
        .build();
  }

  private static ClusterRoleBinding binding(String role, String... groups) {
    var builder =
        new ClusterRoleBindingBuilder()
            .withNewMetadata()
            .withName(role)
            .addToLabels("kubernetes.io/bootstrapping", "rbac-defaults")
            .endMetadata()
            .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role);
    for (String group : groups) {
      builder
          .addNewSubject()
          .withApiGroup("rbac.authorization.k8s.io")
          .withKind("Group")
          .withName(group)
          .endSubject();
    }
    return builder.build();
  }
}
