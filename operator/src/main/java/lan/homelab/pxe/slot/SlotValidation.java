package lan.homelab.pxe.slot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;

/**
 * The checks the API server cannot make because they need other objects or the operator's settings.
 * A slot with any problem is Invalid and never handed out. Pure: same input, same answer, so the
 * claim path and the slot's status always agree.
 */
public final class SlotValidation {
  private SlotValidation() {}

  /** Every problem of {@code slot}, in words a person can act on; empty when it is valid. */
  public static List<String> problems(
      ProvisioningSlot slot, Collection<ProvisioningSlot> all, OperatorSettings settings) {
    List<String> problems = new ArrayList<>();
    if (slot.getSpec() == null) {
      return List.of("spec is missing");
    }
    Optional<Ipv4> address = Ipv4.tryParse(slot.getSpec().getAddress());
    if (address.isEmpty()) {
      problems.add("address '" + slot.getSpec().getAddress() + "' is not an IPv4 address");
    } else {
      Ipv4 a = address.get();
      if (!settings.network().isHost(a)) {
        problems.add("address " + a + " is not a host address of " + settings.network());
      }
      if (a.equals(settings.gateway())) {
        problems.add("address " + a + " is the gateway's");
      }
      if (a.equals(settings.serverAddress())) {
        problems.add("address " + a + " is the provisioning server's");
      }
      if (settings.inDiscoveryPool(a)) {
        problems.add(
            "address "
                + a
                + " lies in the discovery pool "
                + settings.discoveryPoolStart()
                + "-"
                + settings.discoveryPoolEnd());
      }
    }
    String hostname = Slots.hostname(slot);
    if (!hostname.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
      problems.add("hostname '" + hostname + "' is not an RFC 1123 label");
    } else if (hostname.matches("[0-9]+")) {
      problems.add("hostname '" + hostname + "' is all digits, which an FQDN label may not be");
    }
    String mac = slot.getSpec().getMac();
    if (mac != null && !mac.isBlank() && Mac.tryParse(mac).isEmpty()) {
      problems.add("mac '" + mac + "' is not a MAC address");
    }
    for (ProvisioningSlot other : all) {
      if (other.getMetadata().getName().equals(slot.getMetadata().getName())
          || other.getSpec() == null
          || !olderThan(other, slot)) {
        continue;
      }
      if (address.isPresent() && address.equals(Ipv4.tryParse(other.getSpec().getAddress()))) {
        problems.add(
            "address " + address.get() + " is also slot " + other.getMetadata().getName() + "'s");
      }
      if (hostname.equals(Slots.hostname(other))) {
        problems.add(
            "hostname " + hostname + " is also slot " + other.getMetadata().getName() + "'s");
      }
      if (mac != null
          && Mac.tryParse(mac).isPresent()
          && Mac.tryParse(mac).equals(Mac.tryParse(other.getSpec().getMac()))) {
        problems.add("mac " + mac + " is also reserved by slot " + other.getMetadata().getName());
      }
    }
    return problems;
  }

  /**
   * Of two slots in conflict, the older one keeps its address and the newer one is Invalid;
   * creation times have one-second resolution, so a tie goes to the name that sorts first.
   */
  private static boolean olderThan(ProvisioningSlot a, ProvisioningSlot b) {
    String ta = a.getMetadata().getCreationTimestamp();
    String tb = b.getMetadata().getCreationTimestamp();
    int byTime =
        ta == null || tb == null
            ? 0
            : java.time.Instant.parse(ta).compareTo(java.time.Instant.parse(tb));
    return byTime != 0
        ? byTime < 0
        : a.getMetadata().getName().compareTo(b.getMetadata().getName()) < 0;
  }
}
