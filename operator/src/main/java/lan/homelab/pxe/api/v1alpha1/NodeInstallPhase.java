package lan.homelab.pxe.api.v1alpha1;

/** Where one machine stands in its install. */
public enum NodeInstallPhase {
  /** Discovered, but no slot is free: claims the moment one is. */
  Waiting,
  /** Discovered in approval mode: waits for the approved annotation. */
  AwaitingApproval,
  /** Holds a slot: DHCP reserves its address and nginx serves its answer. */
  Installing,
  /** The installer reported success (or a person said so): DHCP ignores this MAC. */
  Provisioned,
  /** Timed out or refused: keeps its slot, DHCP ignores this MAC until a retry. */
  Failed,
  /** Not a machine the operator will ever install (deny-listed, bad name or MAC). */
  Rejected
}
