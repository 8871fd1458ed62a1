package lan.homelab.pxe.lab.api.rbac;

/** RBAC objects the tests share. */
public final class RbacFixtures {
  /** The chart's boot Role and its binding: all ConfigMaps, two Secrets by name. */
  public static final String BOOT_RBAC =
      """
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata: {name: pxe-boot, namespace: pxe-system}
      rules:
        - apiGroups: [""]
          resources: ["configmaps"]
          verbs: ["get", "list", "watch"]
        - apiGroups: [""]
          resources: ["secrets"]
          resourceNames: ["pxe-dhcp-hook", "pxe-tls"]
          verbs: ["get", "list", "watch"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: pxe-boot, namespace: pxe-system}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pxe-boot}
      subjects:
        - {kind: ServiceAccount, name: pxe-boot, namespace: pxe-system}
      """;

  private RbacFixtures() {}
}
