package lan.homelab.pxe.api.v1alpha1;

/** Names that are part of the public API: group, version, labels, annotations, conditions. */
public final class ApiConstants {
  public static final String GROUP = "pxe.homelab.lan";
  public static final String VERSION = "v1alpha1";

  /** Label on a ProvisioningSlot naming the NodeInstall that holds it; the claim's lock. */
  public static final String LABEL_CLAIMED_BY = GROUP + "/claimed-by";

  /**
   * Label on a ProvisioningSlot keeping it for one NodeInstall after that NodeInstall was deleted.
   */
  public static final String LABEL_RESERVED_FOR = GROUP + "/reserved-for";

  /** Label on every object the operator creates. */
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY_VALUE = "pxe-operator";

  /**
   * Label on a NodeInstall that holds a slot: the slot's address, so the install at an address is
   * found with a label selector.
   */
  public static final String LABEL_ADDRESS = GROUP + "/address";

  /** Label on derived objects naming the NodeInstall they belong to. */
  public static final String LABEL_NODE_INSTALL = GROUP + "/node-install";

  /** Annotation: set on a Failed NodeInstall to install it again (the value is ignored). */
  public static final String ANNOTATION_RETRY = GROUP + "/retry";

  /** Annotation: set to "true" to mark an install Provisioned by hand. */
  public static final String ANNOTATION_MARK_PROVISIONED = GROUP + "/mark-provisioned";

  /** Annotation: set to "true" to let a NodeInstall that awaits approval claim a slot. */
  public static final String ANNOTATION_APPROVED = GROUP + "/approved";

  /**
   * Annotation on a NodeInstall: what happens to its slot when it is deleted, {@code keep} (the
   * slot stays reserved for this MAC) or {@code release}. Overrides the operator's default.
   */
  public static final String ANNOTATION_SLOT_ON_DELETE = GROUP + "/slot-on-delete";

  public static final String FINALIZER = GROUP + "/finalizer";

  public static final String CONDITION_READY = "Ready";
  public static final String CONDITION_VALID = "Valid";
  public static final String CONDITION_CLAIMED = "Claimed";
  public static final String CONDITION_INSTALLED = "Installed";
  public static final String CONDITION_MAC_MATCHES = "MacMatches";

  private ApiConstants() {}
}
