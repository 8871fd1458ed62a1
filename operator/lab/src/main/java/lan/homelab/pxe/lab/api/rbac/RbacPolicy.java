package lan.homelab.pxe.lab.api.rbac;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes RBAC over a set of Roles, RoleBindings, ClusterRoles and ClusterRoleBindings, decided
 * as kube-apiserver's RBAC authorizer decides (plugin/pkg/auth/authorizer/rbac/rbac.go and
 * k8s.io/component-helpers/auth/rbac/validation): a request is allowed when one rule of a role
 * bound to the user allows it; ClusterRoleBindings apply everywhere, RoleBindings only in their
 * namespace (a RoleBinding may refer to a ClusterRole: its rules then apply in that namespace
 * only). A rule allows a resource request when its verbs, apiGroups and resources ({@code *},
 * exact, or {@code *}/subresource) match and its resourceNames are empty or name the request's
 * object; a request without a name (a list, a create) never matches a rule with resourceNames. A
 * rule allows a non-resource request when its verbs match and one nonResourceURL is {@code *}, the
 * path itself, or a prefix ending in {@code *}. Nothing is denied explicitly; there is no
 * aggregation of ClusterRoles (aggregationRule is ignored).
 */
public final class RbacPolicy {
  private final List<ClusterRole> clusterRoles;
  private final List<ClusterRoleBinding> clusterRoleBindings;
  private final List<Role> roles;
  private final List<RoleBinding> roleBindings;

  public RbacPolicy(
      List<ClusterRole> clusterRoles,
      List<ClusterRoleBinding> clusterRoleBindings,
      List<Role> roles,
      List<RoleBinding> roleBindings) {
    this.clusterRoles = List.copyOf(clusterRoles);
    this.clusterRoleBindings = List.copyOf(clusterRoleBindings);
    this.roles = List.copyOf(roles);
    this.roleBindings = List.copyOf(roleBindings);
  }

  /** Allowed by the first rule that matches (bindings in the apiserver's order), else denied. */
  public AccessDecision authorize(UserInfo user, RequestAttributes request) {
    for (ClusterRoleBinding binding : clusterRoleBindings) {
      if (appliesTo(binding.getSubjects(), user, "")) {
        for (PolicyRule rule : clusterRoleRules(binding.getRoleRef())) {
          if (allows(rule, request)) {
            return allowed(user, request, "ClusterRoleBinding", binding.getMetadata().getName());
          }
        }
      }
    }
    if (!request.namespace().isEmpty()) {
      for (RoleBinding binding : bindingsIn(request.namespace())) {
        if (appliesTo(binding.getSubjects(), user, request.namespace())) {
          for (PolicyRule rule : rules(binding.getRoleRef(), request.namespace())) {
            if (allows(rule, request)) {
              return allowed(user, request, "RoleBinding", binding.getMetadata().getName());
            }
          }
        }
      }
    }
    return new AccessDecision(user, request, false, "");
  }

  /**
   * Every rule that applies to the user in the namespace (cluster-wide ones included), as a
   * SelfSubjectRulesReview lists them.
   */
  public List<PolicyRule> rulesFor(UserInfo user, String namespace) {
    List<PolicyRule> rules = new ArrayList<>();
    for (ClusterRoleBinding binding : clusterRoleBindings) {
      if (appliesTo(binding.getSubjects(), user, "")) {
        rules.addAll(clusterRoleRules(binding.getRoleRef()));
      }
    }
    if (namespace != null && !namespace.isEmpty()) {
      for (RoleBinding binding : bindingsIn(namespace)) {
        if (appliesTo(binding.getSubjects(), user, namespace)) {
          rules.addAll(rules(binding.getRoleRef(), namespace));
        }
      }
    }
    return rules;
  }

  /** Whether one rule allows the request. */
  public static boolean allows(PolicyRule rule, RequestAttributes request) {
    if (!matchesOrWildcard(rule.getVerbs(), request.verb())) {
      return false;
    }
    if (!request.resourceRequest()) {
      return nonResourceUrlMatches(rule.getNonResourceURLs(), request.path());
    }
    return matchesOrWildcard(rule.getApiGroups(), request.apiGroup())
        && resourceMatches(rule.getResources(), request)
        && (empty(rule.getResourceNames()) || rule.getResourceNames().contains(request.name()));
  }

  private List<RoleBinding> bindingsIn(String namespace) {
    return roleBindings.stream()
        .filter(b -> namespace.equals(b.getMetadata().getNamespace()))
        .toList();
  }

  private List<PolicyRule> rules(RoleRef ref, String namespace) {
    if (ref == null) {
      return List.of();
    }
    if ("ClusterRole".equals(ref.getKind())) {
      return clusterRoleRules(ref);
    }
    if (!"Role".equals(ref.getKind())) {
      return List.of();
    }
    return roles.stream()
        .filter(
            r ->
                namespace.equals(r.getMetadata().getNamespace())
                    && ref.getName().equals(r.getMetadata().getName()))
        .findFirst()
        .map(Role::getRules)
        .map(RbacPolicy::orEmpty)
        .orElse(List.of());
  }

  private List<PolicyRule> clusterRoleRules(RoleRef ref) {
    if (ref == null || !"ClusterRole".equals(ref.getKind())) {
      return List.of();
    }
    Optional<ClusterRole> role =
        clusterRoles.stream()
            .filter(r -> ref.getName().equals(r.getMetadata().getName()))
            .findFirst();
    return role.map(ClusterRole::getRules).map(RbacPolicy::orEmpty).orElse(List.of());
  }

  /**
   * Whether a subject names the user: a User by name, a Group by membership, a ServiceAccount by
   * namespace (the binding's own when the subject gives none) and name.
   */
  private static boolean appliesTo(List<Subject> subjects, UserInfo user, String bindingNamespace) {
    for (Subject subject : orEmpty(subjects)) {
      boolean applies =
          switch (Objects.requireNonNullElse(subject.getKind(), "")) {
            case "User" -> user.name().equals(subject.getName());
            case "Group" -> user.groups().contains(subject.getName());
            case "ServiceAccount" -> {
              String namespace =
                  empty(subject.getNamespace()) ? bindingNamespace : subject.getNamespace();
              yield !namespace.isEmpty() && user.isServiceAccount(namespace, subject.getName());
            }
            default -> false;
          };
      if (applies) {
        return true;
      }
    }
    return false;
  }

  private static boolean resourceMatches(List<String> ruleResources, RequestAttributes request) {
    for (String resource : orEmpty(ruleResources)) {
      if (resource.equals("*") || resource.equals(request.combinedResource())) {
        return true;
      }
      if (!request.subresource().isEmpty() && resource.equals("*/" + request.subresource())) {
        return true;
      }
    }
    return false;
  }

  private static boolean nonResourceUrlMatches(List<String> urls, String path) {
    for (String url : orEmpty(urls)) {
      if (url.equals("*") || url.equals(path)) {
        return true;
      }
      if (url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesOrWildcard(List<String> values, String value) {
    List<String> all = orEmpty(values);
    return all.contains("*") || all.contains(value);
  }

  private static AccessDecision allowed(
      UserInfo user, RequestAttributes request, String bindingKind, String bindingName) {
    return new AccessDecision(user, request, true, bindingKind + " " + bindingName);
  }

  private static boolean empty(String s) {
    return s == null || s.isEmpty();
  }

  private static boolean empty(List<?> list) {
    return list == null || list.isEmpty();
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
