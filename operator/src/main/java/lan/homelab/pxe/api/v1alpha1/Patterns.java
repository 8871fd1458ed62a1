package lan.homelab.pxe.api.v1alpha1;

/** Regular expressions the API server checks (OpenAPI patterns in the CRDs). */
public final class Patterns {
  public static final String IPV4 =
      "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
          + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$";
  public static final String HOSTNAME = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";

  /** aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or aabbccddeeff. */
  public static final String MAC_ANY_FORM =
      "^(([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}|([0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}"
          + "|[0-9A-Fa-f]{12}|([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4})$";

  /** The normal form: lower case with colons. */
  public static final String MAC_NORMAL = "^([0-9a-f]{2}:){5}[0-9a-f]{2}$";

  private Patterns() {}
}
