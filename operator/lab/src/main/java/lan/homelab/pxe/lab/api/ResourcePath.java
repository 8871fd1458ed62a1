package lan.homelab.pxe.lab.api;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes REST path split into its parts, e.g. {@code
 * /apis/pxe.homelab.lan/v1alpha1/namespaces/pxe-system/nodeinstalls/aa-bb/status}; the core group
 * is the empty string.
 */
record ResourcePath(
    String group,
    String version,
    String namespace,
    String plural,
    String name,
    String subresource) {

  /** The parts of a path to a collection, an object or an object's subresource; empty otherwise. */
  static Optional<ResourcePath> parse(String path) {
    List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    int rest;
    String group;
    String version;
    if (segments.size() >= 3 && segments.get(0).equals("api")) {
      group = "";
      version = segments.get(1);
      rest = 2;
    } else if (segments.size() >= 4 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      version = segments.get(2);
      rest = 3;
    } else {
      return Optional.empty();
    }
    List<String> tail = segments.subList(rest, segments.size());
    String namespace = null;
    boolean namespaceSubresource =
        tail.size() == 3
            && tail.get(0).equals("namespaces")
            && (tail.get(2).equals("status") || tail.get(2).equals("finalize"));
    if (tail.size() >= 3 && tail.get(0).equals("namespaces") && !namespaceSubresource) {
      namespace = tail.get(1);
      tail = tail.subList(2, tail.size());
    }
    if (tail.isEmpty() || tail.size() > 3) {
      return Optional.empty();
    }
    return Optional.of(
        new ResourcePath(
            group,
            version,
            namespace,
            tail.get(0),
            tail.size() > 1 ? tail.get(1) : null,
            tail.size() > 2 ? tail.get(2) : null));
  }

  /** The path of the collection this path belongs to (no name, no subresource). */
  String collectionPath() {
    String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return prefix + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
  }

  /** The path of the object itself, without subresource. */
  String objectPath() {
    return collectionPath() + "/" + name;
  }

  boolean isObject() {
    return name != null;
  }

  boolean isCollection() {
    return name == null;
  }

  /** {@code plural} for the core group, {@code plural.group} otherwise (as kubectl prints it). */
  String qualifiedResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
