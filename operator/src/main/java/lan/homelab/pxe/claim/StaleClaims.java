package lan.homelab.pxe.claim;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.slot.Slots;

/**
 * Clears claim labels that name a NodeInstall which does not exist, so no slot is lost for good. A
 * claim is two writes (the label, then spec.slot); when the second never happens (it gave up, the
 * operator stopped in between) and the install is then deleted, or its finalizer is removed by
 * hand, nothing else would ever free the slot.
 *
 * <p>A label is cleared only when all of these hold: the operator's cache has shown no NodeInstall
 * of that name for the whole {@link #GRACE} (counted from the first time this replica saw the label
 * without its install, and started again when the label changes); the API server itself then has no
 * such NodeInstall; and the slot still carries that label on a fresh read (the release is
 * resourceVersion-checked). A fresh claim never qualifies: the leader writes a label only while
 * reconciling an install that exists in the API server, so a cache that shows the label before the
 * install fails the second check. What is left is an install deleted and created again with the
 * same name between the API read and the release: it then finds its claim gone before it booted and
 * queues again (ClaimLost), as for any vanished claim.
 */
public final class StaleClaims {
  /** How long a label may name a missing NodeInstall before the API server is asked. */
  public static final Duration GRACE = Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final String namespace;
  private final SlotClaimer claimer;
  private final Clock clock;
  private final Map<String, Sighting> sightings = new ConcurrentHashMap<>();

  /** When this replica first saw the slot's label without its install. */
  private record Sighting(String holder, Instant since) {}

  /** What became of a slot's claim label. */
  public sealed interface Verdict {
    /** No label, or its install exists. */
    record Sound() implements Verdict {}

    /** The label names an install the cache does not show; look again after {@code in}. */
    record Suspect(Duration in) implements Verdict {}

    /** The label named {@code holder}, which does not exist; it was removed. */
    record Cleared(String holder) implements Verdict {}
  }

  public StaleClaims(KubernetesClient client, String namespace, SlotClaimer claimer, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.claimer = claimer;
    this.clock = clock;
  }

  /**
   * Looks at {@code slot}'s claim label.
   *
   * @param holderCached whether the operator's cache shows the NodeInstall the label names
   */
  public Verdict check(ProvisioningSlot slot, boolean holderCached) {
    String name = slot.getMetadata().getName();
    Optional<String> holder = Slots.claimedBy(slot);
    if (holder.isEmpty() || holderCached) {
      sightings.remove(name);
      return new Verdict.Sound();
    }
    Instant now = clock.instant();
    Sighting seen = sightings.get(name);
    if (seen == null || !seen.holder().equals(holder.get()) || now.isBefore(seen.since())) {
      sightings.put(name, new Sighting(holder.get(), now));
      return new Verdict.Suspect(GRACE);
    }
    Duration waited = Duration.between(seen.since(), now);
    if (waited.compareTo(GRACE) < 0) {
      return new Verdict.Suspect(GRACE.minus(waited));
    }
    sightings.remove(name);
    if (installExists(holder.get())) {
      return new Verdict.Sound();
    }
    return claimer.release(name, holder.get(), false)
        ? new Verdict.Cleared(holder.get())
        : new Verdict.Sound();
  }

  /** Forgets what it saw of slots that no longer exist. */
  public void retainSlots(Collection<String> existing) {
    if (!sightings.isEmpty()) {
      sightings.keySet().retainAll(java.util.Set.copyOf(existing));
    }
  }

  private boolean installExists(String name) {
    return client.resources(NodeInstall.class).inNamespace(namespace).withName(name).get() != null;
  }
}
