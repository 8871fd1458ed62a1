package lan.homelab.pxe.chart;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One RBAC permission: API group, resource (with "/subresource"), verb, and whether it was asked
 * for inside a namespace. Built from Role rules or from an HTTP request the API server saw.
 */
record ApiAccess(String group, String resource, String verb, boolean namespaced)
    implements Comparable<ApiAccess> {

  private static final Pattern PATH =
      Pattern.compile(
          "^/(?:api/v1|apis/(?<group>[^/]+)/[^/]+)"
              + "(?:/namespaces/(?<ns>[^/]+))?/(?<resource>[^/]+)(?:/(?<name>[^/]+)(?:/(?<sub>[^/]+))?)?$");

  /**
   * Whether every authenticated user may do this without a Role: Kubernetes' system:basic-user
   * grants the self-reviews (leader election asks which verbs it has before it starts).
   */
  boolean allowedToEveryUser() {
    return group.equals("authorization.k8s.io")
        && resource.startsWith("selfsubject")
        && verb.equals("create");
  }

  static ApiAccess of(String group, String resource, String verb) {
    return new ApiAccess(group, resource, verb, true);
  }

  /** The permission an HTTP request needs, or null for discovery and other non-resource paths. */
  static ApiAccess fromRequest(String method, String pathWithQuery) {
    int q = pathWithQuery.indexOf('?');
    String path = q < 0 ? pathWithQuery : pathWithQuery.substring(0, q);
    String query = q < 0 ? "" : pathWithQuery.substring(q + 1);
    Matcher m = PATH.matcher(path);
    if (!m.matches()) {
      return null;
    }
    String group = m.group("group") == null ? "" : m.group("group");
    String resource = m.group("resource");
    if (m.group("ns") == null && resource.equals("namespaces") && m.group("name") != null) {
      return null; // a namespace object itself: never used by the operator, flagged by the caller
    }
    boolean named = m.group("name") != null;
    if (m.group("sub") != null) {
      resource = resource + "/" + m.group("sub");
    }
    String verb =
        switch (method) {
          case "GET" ->
              named ? "get" : query.matches("(.*&)?watch=(true|1)(&.*)?") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    return new ApiAccess(group, resource, verb, m.group("ns") != null);
  }

  /** Every (group, resource, verb) the rules grant; resourceNames restrictions are kept out. */
  static Set<ApiAccess> granted(Collection<PolicyRule> rules) {
    Set<ApiAccess> all = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            all.add(of(group, resource, verb));
          }
        }
      }
    }
    return all;
  }

  static List<String> describe(Collection<ApiAccess> accesses) {
    return accesses.stream().map(ApiAccess::toString).toList();
  }

  @Override
  public int compareTo(ApiAccess o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return (group.isEmpty() ? "core" : group)
        + " "
        + resource
        + " "
        + verb
        + (namespaced ? "" : " (cluster-wide)");
  }
}
