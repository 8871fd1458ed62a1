package lan.homelab.pxe.api.v1alpha1;

/** Where one queue entry stands. */
public enum SlotPhase {
  Available,
  Claimed,
  Provisioned,
  Invalid
}
