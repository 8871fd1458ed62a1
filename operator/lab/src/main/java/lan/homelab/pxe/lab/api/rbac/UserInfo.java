package lan.homelab.pxe.lab.api.rbac;

import java.util.List;

/** An authenticated user as kube-apiserver's authenticators describe one: a name and groups. */
public record UserInfo(String name, List<String> groups) {
  public static final String AUTHENTICATED = "system:authenticated";
  public static final String MASTERS = "system:masters";
  private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  public UserInfo {
    groups = List.copyOf(groups);
  }

  /**
   * A service account's identity: {@code system:serviceaccount:<ns>:<name>} in the groups {@code
   * system:serviceaccounts}, {@code system:serviceaccounts:<ns>} and {@code system:authenticated}.
   */
  public static UserInfo serviceAccount(String namespace, String name) {
    return new UserInfo(
        SERVICE_ACCOUNT_PREFIX + namespace + ":" + name,
        List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, AUTHENTICATED));
  }

  /** A member of {@code system:masters}, which the bootstrap policy binds to cluster-admin. */
  public static UserInfo clusterAdmin(String name) {
    return new UserInfo(name, List.of(MASTERS, AUTHENTICATED));
  }

  /** Whether this is the service account {@code namespace/name}. */
  public boolean isServiceAccount(String namespace, String name) {
    return this.name.equals(SERVICE_ACCOUNT_PREFIX + namespace + ":" + name);
  }
}
