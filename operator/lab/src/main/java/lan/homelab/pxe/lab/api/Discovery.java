package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Legacy API discovery documents ({@code /api}, {@code /apis}, {@code /api/v1}, {@code
 * /apis/<group>[/<version>]}) for the built-in types the lab needs plus every stored CRD.
 */
final class Discovery {
  private static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  private static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

  /** A resource type the front advertises. */
  record Resource(
      String group,
      String version,
      String plural,
      String singular,
      String kind,
      boolean namespaced,
      List<String> shortNames,
      boolean hasStatus,
      List<String> verbs) {

    Resource(
        String group,
        String version,
        String plural,
        String singular,
        String kind,
        boolean namespaced,
        List<String> shortNames,
        boolean hasStatus) {
      this(group, version, plural, singular, kind, namespaced, shortNames, hasStatus, ALL_VERBS);
    }
  }

  static final List<Resource> BUILT_IN =
      List.of(
          new Resource(
              "", "v1", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), false),
          new Resource("", "v1", "events", "event", "Event", true, List.of("ev"), false),
          new Resource(
              "", "v1", "namespaces", "namespace", "Namespace", false, List.of("ns"), true),
          new Resource("", "v1", "pods", "pod", "Pod", true, List.of("po"), true),
          new Resource("", "v1", "secrets", "secret", "Secret", true, List.of(), false),
          new Resource(
              "",
              "v1",
              "serviceaccounts",
              "serviceaccount",
              "ServiceAccount",
              true,
              List.of("sa"),
              false),
          new Resource("", "v1", "services", "service", "Service", true, List.of("svc"), true),
          new Resource(
              "apiextensions.k8s.io",
              "v1",
              "customresourcedefinitions",
              "customresourcedefinition",
              "CustomResourceDefinition",
              false,
              List.of("crd", "crds"),
              true),
          new Resource(
              "coordination.k8s.io", "v1", "leases", "lease", "Lease", true, List.of(), false),
          new Resource(
              "apps",
              "v1",
              "deployments",
              "deployment",
              "Deployment",
              true,
              List.of("deploy"),
              true),
          new Resource("batch", "v1", "jobs", "job", "Job", true, List.of(), true),
          new Resource(
              "networking.k8s.io",
              "v1",
              "networkpolicies",
              "networkpolicy",
              "NetworkPolicy",
              true,
              List.of("netpol"),
              false),
          new Resource(
              ApiSecurity.RBAC_GROUP, "v1", "roles", "role", "Role", true, List.of(), false),
          new Resource(
              ApiSecurity.RBAC_GROUP,
              "v1",
              "rolebindings",
              "rolebinding",
              "RoleBinding",
              true,
              List.of(),
              false),
          new Resource(
              ApiSecurity.RBAC_GROUP,
              "v1",
              "clusterroles",
              "clusterrole",
              "ClusterRole",
              false,
              List.of(),
              false),
          new Resource(
              ApiSecurity.RBAC_GROUP,
              "v1",
              "clusterrolebindings",
              "clusterrolebinding",
              "ClusterRoleBinding",
              false,
              List.of(),
              false),
          new Resource(
              "authorization.k8s.io",
              "v1",
              "selfsubjectaccessreviews",
              "selfsubjectaccessreview",
              "SelfSubjectAccessReview",
              false,
              List.of(),
              false,
              List.of("create")),
          new Resource(
              "authorization.k8s.io",
              "v1",
              "selfsubjectrulesreviews",
              "selfsubjectrulesreview",
              "SelfSubjectRulesReview",
              false,
              List.of(),
              false,
              List.of("create")));

  private Discovery() {}

  /** The CRDs' served versions as resources, in the order they are stored. */
  static List<Resource> fromCrds(List<JsonNode> crds) {
    List<Resource> resources = new ArrayList<>();
    for (JsonNode crd : crds) {
      JsonNode spec = crd.path("spec");
      JsonNode names = spec.path("names");
      List<String> shortNames = new ArrayList<>();
      names.path("shortNames").forEach(s -> shortNames.add(s.asText()));
      for (JsonNode version : spec.path("versions")) {
        if (!version.path("served").asBoolean(true)) {
          continue;
        }
        resources.add(
            new Resource(
                spec.path("group").asText(),
                version.path("name").asText(),
                names.path("plural").asText(),
                names.path("singular").asText(names.path("kind").asText().toLowerCase()),
                names.path("kind").asText(),
                !"Cluster".equals(spec.path("scope").asText()),
                shortNames,
                version.path("subresources").has("status")));
      }
    }
    return resources;
  }

  /** {@code GET /api}. */
  static JsonNode apiVersions(String serverAddress) {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIVersions");
    doc.putArray("versions").add("v1");
    ObjectNode cidr = doc.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return doc;
  }

  /** {@code GET /apis}: every named group with its versions. */
  static JsonNode groupList(List<Resource> resources) {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIGroupList");
    doc.put("apiVersion", "v1");
    ArrayNode groups = doc.putArray("groups");
    versionsByGroup(resources)
        .forEach((group, versions) -> groups.add(groupDocument(group, versions)));
    return doc;
  }

  /** {@code GET /apis/<group>}. */
  static Optional<JsonNode> group(String name, List<Resource> resources) {
    List<String> versions = versionsByGroup(resources).get(name);
    return versions == null ? Optional.empty() : Optional.of(groupDocument(name, versions));
  }

  /** {@code GET /api/v1} or {@code GET /apis/<group>/<version>}. */
  static Optional<JsonNode> resourceList(String group, String version, List<Resource> resources) {
    List<Resource> matching =
        resources.stream()
            .filter(r -> r.group().equals(group) && r.version().equals(version))
            .toList();
    if (matching.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode doc = Json.object();
    doc.put("kind", "APIResourceList");
    doc.put("apiVersion", "v1");
    doc.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode list = doc.putArray("resources");
    for (Resource r : matching) {
      ObjectNode entry = list.addObject();
      entry.put("name", r.plural());
      entry.put("singularName", r.singular());
      entry.put("namespaced", r.namespaced());
      entry.put("kind", r.kind());
      r.verbs().forEach(entry.putArray("verbs")::add);
      if (!r.shortNames().isEmpty()) {
        r.shortNames().forEach(entry.putArray("shortNames")::add);
      }
      if (r.hasStatus()) {
        ObjectNode status = list.addObject();
        status.put("name", r.plural() + "/status");
        status.put("singularName", "");
        status.put("namespaced", r.namespaced());
        status.put("kind", r.kind());
        STATUS_VERBS.forEach(status.putArray("verbs")::add);
      }
    }
    return Optional.of(doc);
  }

  private static Map<String, List<String>> versionsByGroup(List<Resource> resources) {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (Resource r : resources) {
      if (r.group().isEmpty()) {
        continue;
      }
      List<String> versions = groups.computeIfAbsent(r.group(), g -> new ArrayList<>());
      if (!versions.contains(r.version())) {
        versions.add(r.version());
      }
    }
    return groups;
  }

  private static ObjectNode groupDocument(String name, List<String> versions) {
    ObjectNode group = Json.object();
    group.put("kind", "APIGroup");
    group.put("apiVersion", "v1");
    group.put("name", name);
    ArrayNode list = group.putArray("versions");
    for (String v : versions) {
      ObjectNode entry = list.addObject();
      entry.put("groupVersion", name + "/" + v);
      entry.put("version", v);
    }
    group.set("preferredVersion", list.get(0).deepCopy());
    return group;
  }
}
