package lan.homelab.pxe.slot;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.Ipv4Network;

/** Derived facts of a slot: its effective hostname and queue position, who holds it. */
public final class Slots {
  private Slots() {}

  /** Queue order: effective order, then address, then name. */
  public static Comparator<ProvisioningSlot> queueOrder(Ipv4Network network) {
    return Comparator.<ProvisioningSlot>comparingLong(s -> order(s, network))
        .thenComparing(s -> Ipv4.tryParse(s.getSpec().getAddress()).orElse(new Ipv4(0)))
        .thenComparing(s -> s.getMetadata().getName());
  }

  /**
   * spec.order when set; otherwise the address's host number inside the network (10.11.0.2 in
   * 10.11.0.0/22 is 2, 10.11.1.5 is 261), so the default queue runs in ascending address.
   */
  public static long order(ProvisioningSlot slot, Ipv4Network network) {
    if (slot.getSpec().getOrder() != null) {
      return slot.getSpec().getOrder();
    }
    return Ipv4.tryParse(slot.getSpec().getAddress())
        .map(a -> a.bits() - network.base().bits())
        .orElse(Long.MAX_VALUE);
  }

  /** spec.hostname, or a stable name derived from the address: 10.11.0.4 gives node-10-11-0-4. */
  public static String hostname(ProvisioningSlot slot) {
    String hostname = slot.getSpec().getHostname();
    if (hostname != null && !hostname.isBlank()) {
      return hostname;
    }
    return "node-" + String.valueOf(slot.getSpec().getAddress()).replace('.', '-');
  }

  /** Name of the NodeInstall holding this slot (the claim label), if any. */
  public static Optional<String> claimedBy(ProvisioningSlot slot) {
    return label(slot, ApiConstants.LABEL_CLAIMED_BY);
  }

  /** Name of the NodeInstall this slot is kept for after its deletion, if any. */
  public static Optional<String> reservedFor(ProvisioningSlot slot) {
    return label(slot, ApiConstants.LABEL_RESERVED_FOR);
  }

  /** The NodeInstall name this slot is kept for: spec.mac, else the reserved-for label. */
  public static Optional<String> keptFor(ProvisioningSlot slot) {
    String mac = slot.getSpec().getMac();
    if (mac != null && !mac.isBlank()) {
      return Mac.tryParse(mac).map(Mac::objectName);
    }
    return reservedFor(slot);
  }

  public static boolean paused(ProvisioningSlot slot) {
    return Boolean.TRUE.equals(slot.getSpec().getPaused());
  }

  private static Optional<String> label(ProvisioningSlot slot, String key) {
    Map<String, String> labels = slot.getMetadata().getLabels();
    return Optional.ofNullable(labels == null ? null : labels.get(key)).filter(v -> !v.isBlank());
  }
}
