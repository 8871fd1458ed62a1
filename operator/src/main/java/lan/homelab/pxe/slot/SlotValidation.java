package lan.homelab.pxe.slot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    return problems(slot, new Owners(all), settings);
  }

  /** The problems of every slot by name; one pass over the slots, however many there are. */
  public static Map<String, List<String>> problemsOfAll(
      Collection<ProvisioningSlot> all, OperatorSettings settings) {
    Owners owners = new Owners(all);
    Map<String, List<String>> result = new HashMap<>();
    for (ProvisioningSlot slot : all) {
      result.put(slot.getMetadata().getName(), problems(slot, owners, settings));
    }
    return result;
  }

  private static List<String> problems(
      ProvisioningSlot slot, Owners owners, OperatorSettings settings) {
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
      owners
          .otherThan(slot, "address:" + a)
          .ifPresent(o -> problems.add("address " + a + " is also slot " + o + "'s"));
    }
    String hostname = Slots.hostname(slot);
    if (!hostname.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
      problems.add("hostname '" + hostname + "' is not an RFC 1123 label");
    } else if (hostname.matches("[0-9]+")) {
      problems.add("hostname '" + hostname + "' is all digits, which an FQDN label may not be");
    }
    owners
        .otherThan(slot, "hostname:" + hostname)
        .ifPresent(o -> problems.add("hostname " + hostname + " is also slot " + o + "'s"));
    String mac = slot.getSpec().getMac();
    if (mac != null && !mac.isBlank()) {
      Optional<Mac> parsed = Mac.tryParse(mac);
      if (parsed.isEmpty()) {
        problems.add("mac '" + mac + "' is not a MAC address");
      } else {
        owners
            .otherThan(slot, "mac:" + parsed.get())
            .ifPresent(o -> problems.add("mac " + mac + " is also reserved by slot " + o));
      }
    }
    return problems;
  }

  /** For each address, hostname and MAC: the oldest slot that has it, which keeps it. */
  private static final class Owners {
    private final Map<String, ProvisioningSlot> oldest = new HashMap<>();

    Owners(Collection<ProvisioningSlot> all) {
      for (ProvisioningSlot slot : all) {
        if (slot.getSpec() == null) {
          continue;
        }
        List<String> keys = new ArrayList<>();
        Ipv4.tryParse(slot.getSpec().getAddress()).ifPresent(a -> keys.add("address:" + a));
        keys.add("hostname:" + Slots.hostname(slot));
        Mac.tryParse(slot.getSpec().getMac()).ifPresent(m -> keys.add("mac:" + m));
        for (String key : keys) {
          oldest.merge(key, slot, (a, b) -> olderThan(b, a) ? b : a);
        }
      }
    }

    /** The name of the older slot that owns this key, when it is not {@code slot} itself. */
    Optional<String> otherThan(ProvisioningSlot slot, String key) {
      ProvisioningSlot owner = oldest.get(key);
      return owner == null || owner.getMetadata().getName().equals(slot.getMetadata().getName())
          ? Optional.empty()
          : Optional.of(owner.getMetadata().getName());
    }
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
