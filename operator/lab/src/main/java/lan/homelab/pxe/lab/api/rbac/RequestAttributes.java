package lan.homelab.pxe.lab.api.rbac;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an authorizer decides on, derived from an HTTP request the way kube-apiserver derives it
 * (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go, {@code
 * RequestInfoFactory.NewRequestInfo}, Kubernetes 1.32):
 *
 * <ul>
 *   <li>paths under {@code /api/<v>/} and {@code /apis/<g>/<v>/} are resource requests; everything
 *       else ({@code /api}, {@code /apis/<g>}, {@code /version}, {@code /openapi/v2}, ...) is a
 *       non-resource request whose verb is the lower-case HTTP method;
 *   <li>verbs: POST create, GET/HEAD get, PUT update, PATCH patch, DELETE delete; a GET without a
 *       name is list, or watch when {@code watch} is anything but {@code false}/{@code 0}; a DELETE
 *       without a name is deletecollection; the legacy {@code /watch/} path prefix means watch;
 *   <li>{@code namespaces/<ns>/status} and {@code namespaces/<ns>/finalize} are subresources of a
 *       namespace, any other {@code namespaces/<ns>/<resource>} is a namespaced resource;
 *   <li>a list or watch whose {@code fieldSelector} requires {@code metadata.name=<n>} (operator
 *       {@code =} or {@code ==}) carries the name {@code n}, so {@code resourceNames} rules apply
 *       to it: that is how a client watches one object, e.g. fabric8's {@code
 *       withName(n).inform()}.
 * </ul>
 *
 * Empty strings, never null, for parts a request does not have (the core group is "").
 */
public record RequestAttributes(
    boolean resourceRequest,
    String verb,
    String path,
    String apiGroup,
    String apiVersion,
    String namespace,
    String resource,
    String subresource,
    String name) {

  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");
  private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");

  /**
   * The attributes of a request: {@code method}, the raw (undecoded) path and the decoded query
   * parameters.
   */
  public static RequestAttributes of(String method, String path, Map<String, String> query) {
    String httpVerb = method.toLowerCase(Locale.ROOT);
    List<String> parts = split(path);
    RequestAttributes nonResource =
        new RequestAttributes(false, httpVerb, path, "", "", "", "", "", "");
    if (parts.size() < 3 || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
      return nonResource;
    }
    String group = "";
    boolean grouped = parts.get(0).equals("apis");
    parts = parts.subList(1, parts.size());
    if (grouped) {
      if (parts.size() < 3) {
        return nonResource;
      }
      group = parts.get(0);
      parts = parts.subList(1, parts.size());
    }
    String version = parts.get(0);
    parts = parts.subList(1, parts.size());
    String verb;
    if (SPECIAL_VERBS.contains(parts.get(0)) && parts.size() >= 2) {
      verb = parts.get(0);
      parts = parts.subList(1, parts.size());
    } else {
      verb =
          switch (method.toUpperCase(Locale.ROOT)) {
            case "POST" -> "create";
            case "GET", "HEAD" -> "get";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> "";
          };
    }
    String namespace = "";
    if (parts.get(0).equals("namespaces") && parts.size() > 1) {
      namespace = parts.get(1);
      if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
        parts = parts.subList(2, parts.size());
      }
    }
    String resource = parts.get(0);
    String name = parts.size() >= 2 ? parts.get(1) : "";
    String subresource = parts.size() >= 3 && !verb.equals("proxy") ? parts.get(2) : "";
    if (name.isEmpty() && verb.equals("get")) {
      String watch = query.get("watch");
      verb =
          watch != null && !watch.equalsIgnoreCase("false") && !watch.equals("0")
              ? "watch"
              : "list";
      name = selectedName(query.get("fieldSelector")).orElse("");
    }
    if (name.isEmpty() && verb.equals("delete")) {
      verb = "deletecollection";
    }
    return new RequestAttributes(
        true, verb, path, group, version, namespace, resource, subresource, name);
  }

  /** A resource request as a SubjectAccessReview's resourceAttributes describe it. */
  public static RequestAttributes resource(
      String verb,
      String apiGroup,
      String resource,
      String subresource,
      String namespace,
      String name) {
    return new RequestAttributes(
        true,
        verb,
        "",
        orEmpty(apiGroup),
        "",
        orEmpty(namespace),
        resource,
        orEmpty(subresource),
        orEmpty(name));
  }

  /** A non-resource request as a SubjectAccessReview's nonResourceAttributes describe it. */
  public static RequestAttributes nonResource(String verb, String path) {
    return new RequestAttributes(false, verb, path, "", "", "", "", "", "");
  }

  /** {@code resource/subresource}, or the resource alone. */
  public String combinedResource() {
    return subresource.isEmpty() ? resource : resource + "/" + subresource;
  }

  /**
   * The name a field selector pins, as fields.Selector.RequiresExactMatch("metadata.name") reads
   * it, kept only when it is a valid path segment (not "." or "..", no "/" or "%").
   */
  private static Optional<String> selectedName(String fieldSelector) {
    if (fieldSelector == null) {
      return Optional.empty();
    }
    for (String term : fieldSelector.split(",")) {
      if (term.contains("!=")) {
        continue;
      }
      int eq = term.indexOf('=');
      if (eq < 0 || !term.substring(0, eq).strip().equals("metadata.name")) {
        continue;
      }
      String value = term.substring(eq + 1);
      if (value.startsWith("=")) {
        value = value.substring(1);
      }
      value = value.strip();
      boolean validSegment =
          !value.equals(".") && !value.equals("..") && !value.contains("/") && !value.contains("%");
      return validSegment ? Optional.of(value) : Optional.empty();
    }
    return Optional.empty();
  }

  private static List<String> split(String path) {
    String trimmed = path.replaceAll("^/+|/+$", "");
    return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("/"));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
