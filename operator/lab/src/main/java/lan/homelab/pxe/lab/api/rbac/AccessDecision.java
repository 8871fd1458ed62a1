package lan.homelab.pxe.lab.api.rbac;

/**
 * One authorization decision: who asked for what, whether it was allowed and, when it was, by which
 * binding.
 */
public record AccessDecision(
    UserInfo user, RequestAttributes request, boolean allowed, String reason) {

  /**
   * The message of the 403 Status kube-apiserver sends for a denied request
   * (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go {@code forbiddenMessage},
   * wrapped by {@code apierrors.NewForbidden}), e.g. {@code secrets "pxe-tls" is forbidden: User
   * "system:serviceaccount:pxe-system:pxe-boot" cannot get resource "secrets" in API group "" in
   * the namespace "pxe-system"}.
   */
  public String forbiddenMessage() {
    String cannot = "User \"" + user.name() + "\" cannot " + request.verb();
    if (!request.resourceRequest()) {
      return "forbidden: " + cannot + " path \"" + request.path() + "\"";
    }
    String what =
        cannot
            + " resource \""
            + request.combinedResource()
            + "\" in API group \""
            + request.apiGroup()
            + "\""
            + (request.namespace().isEmpty()
                ? " at the cluster scope"
                : " in the namespace \"" + request.namespace() + "\"");
    String qualified =
        request.apiGroup().isEmpty()
            ? request.resource()
            : request.resource() + "." + request.apiGroup();
    return request.name().isEmpty()
        ? qualified + " is forbidden: " + what
        : qualified + " \"" + request.name() + "\" is forbidden: " + what;
  }

  /** One line for logs and assertions: {@code user verb resource[/sub] [name] [in ns]: allowed}. */
  @Override
  public String toString() {
    StringBuilder line = new StringBuilder(user.name()).append(' ').append(request.verb());
    if (request.resourceRequest()) {
      line.append(' ')
          .append(request.apiGroup().isEmpty() ? "" : request.apiGroup() + "/")
          .append(request.combinedResource());
      if (!request.name().isEmpty()) {
        line.append(' ').append(request.name());
      }
      if (!request.namespace().isEmpty()) {
        line.append(" in ").append(request.namespace());
      }
    } else {
      line.append(' ').append(request.path());
    }
    return line.append(allowed ? ": allowed" : ": denied").toString();
  }
}
