package lan.homelab.pxe.claim;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.Ipv4Network;
import lan.homelab.pxe.slot.Slots;

/**
 * The queue's rules, as a pure function of what the operator sees. A NodeInstall without a slot
 * takes, in this order: a slot it already holds; a free slot kept for its MAC; the free slot at its
 * rank among the older waiting machines, so two machines that arrive together get slots in their
 * arrival order. A slot is free when it is valid, not paused, held by nobody and kept for nobody
 * else.
 *
 * @param network the cluster network (for the default queue order)
 * @param maxConcurrentInstalls how many may install at once; 0 means no limit
 */
public record ClaimRules(Ipv4Network network, int maxConcurrentInstalls) {

  /**
   * @param me the NodeInstall that asks
   * @param slots every slot in the namespace
   * @param installs every NodeInstall in the namespace
   * @param pending claims made but perhaps not yet visible in {@code slots}: slot -> NodeInstall
   * @param valid whether a slot passes validation
   */
  public ClaimDecision decide(
      NodeInstall me,
      Collection<ProvisioningSlot> slots,
      Collection<NodeInstall> installs,
      Map<String, String> pending,
      Predicate<ProvisioningSlot> valid) {
    String name = me.getMetadata().getName();
    Comparator<ProvisioningSlot> queue = Slots.queueOrder(network);
    List<ProvisioningSlot> ordered = slots.stream().sorted(queue).toList();

    for (ProvisioningSlot slot : ordered) {
      if (name.equals(holder(slot, pending))) {
        return new ClaimDecision.Adopt(slot.getMetadata().getName());
      }
    }

    Set<String> holders =
        ordered.stream()
            .map(s -> holder(s, pending))
            .filter(Objects::nonNull)
            .collect(Collectors.toSet());
    if (maxConcurrentInstalls > 0) {
      long installing =
          installs.stream()
              .filter(
                  ni ->
                      holders.contains(ni.getMetadata().getName())
                          && phase(ni) != NodeInstallPhase.Provisioned
                          && phase(ni) != NodeInstallPhase.Failed)
              .count();
      if (installing >= maxConcurrentInstalls) {
        return new ClaimDecision.Wait(
            "the limit of " + maxConcurrentInstalls + " installs at once is reached");
      }
    }

    Set<String> freeNames =
        ordered.stream()
            .filter(s -> !Slots.paused(s) && holder(s, pending) == null && valid.test(s))
            .map(s -> s.getMetadata().getName())
            .collect(Collectors.toSet());
    Predicate<ProvisioningSlot> free = s -> freeNames.contains(s.getMetadata().getName());
    for (ProvisioningSlot slot : ordered) {
      if (free.test(slot) && Slots.keptFor(slot).filter(name::equals).isPresent()) {
        return new ClaimDecision.Take(slot.getMetadata().getName());
      }
    }
    List<ProvisioningSlot> open =
        ordered.stream().filter(free).filter(s -> Slots.keptFor(s).isEmpty()).toList();
    Set<String> keptFree =
        ordered.stream()
            .filter(free)
            .map(Slots::keptFor)
            .flatMap(java.util.Optional::stream)
            .collect(Collectors.toSet());
    long rank =
        installs.stream()
            .filter(ni -> !name.equals(ni.getMetadata().getName()))
            .filter(ni -> !holders.contains(ni.getMetadata().getName()))
            .filter(ni -> isWaiting(ni) && arrivedBefore(ni, me))
            .filter(ni -> !keptFree.contains(ni.getMetadata().getName()))
            .count();
    if (open.size() > rank) {
      return new ClaimDecision.Take(open.get((int) rank).getMetadata().getName());
    }
    if (open.isEmpty()) {
      return new ClaimDecision.Wait("no free slot in the queue");
    }
    return new ClaimDecision.Wait(
        rank + " machines that arrived earlier wait for the " + open.size() + " free slots");
  }

  /** Who holds the slot: its claim label, else a pending claim. */
  static String holder(ProvisioningSlot slot, Map<String, String> pending) {
    return Slots.claimedBy(slot).orElse(pending.get(slot.getMetadata().getName()));
  }

  private static boolean isWaiting(NodeInstall ni) {
    NodeInstallPhase phase = phase(ni);
    return ni.getMetadata().getDeletionTimestamp() == null
        && (phase == null || phase == NodeInstallPhase.Waiting)
        && (ni.getSpec() == null || ni.getSpec().getSlot() == null);
  }

  /** Arrival order: creation time, then name (creation times have one-second resolution). */
  static boolean arrivedBefore(NodeInstall a, NodeInstall b) {
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

  private static NodeInstallPhase phase(NodeInstall ni) {
    return ni.getStatus() == null ? null : ni.getStatus().getPhase();
  }
}
