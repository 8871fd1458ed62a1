package lan.homelab.pxe.install;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.metrics.PxeMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound on NodeInstalls the DHCP intake made that hold no slot. Anyone on the LAN can make
 * dnsmasq report a new PXE MAC (a forged DISCOVER is enough), so without a bound a flood fills the
 * namespace with objects. An install counts ({@link #counts}) while it came from the intake (it has
 * discovery facts), holds no slot, is not being deleted and is new, Waiting or AwaitingApproval;
 * one a person created, and every install that holds a slot, never counts.
 *
 * <p>{@link #admit} decides for a MAC the cache does not show yet: it counts the cached installs
 * plus those this replica created and its cache does not show yet, so a burst of reports cannot
 * overshoot the bound on one replica (two replicas that both receive reports may each admit up to
 * the bound in the same instant; the Service sends the hook to one). A refusal creates nothing,
 * counts in {@code pxe_discoveries_over_bound_total} and logs at most one line a minute.
 */
public final class UnclaimedInstalls {
  private static final Logger LOG = LoggerFactory.getLogger(UnclaimedInstalls.class);

  /** How long a create this replica made may stay invisible in its cache before it is forgotten. */
  static final Duration PENDING_TTL = Duration.ofSeconds(30);

  /** At most one log line per this much time about refused discoveries. */
  static final Duration LOG_EVERY = Duration.ofMinutes(1);

  private final int bound;
  private final Supplier<Collection<NodeInstall>> cache;
  private final Clock clock;
  private final PxeMetrics metrics;
  private final Map<String, Instant> pending = new HashMap<>();
  private long refused;
  private long refusedSinceLog;
  private Instant lastRefusedAt;
  private Instant lastLogAt;

  /** The state of the bound, for the status page and its JSON. */
  public record State(int unclaimed, int bound, long refused, Instant lastRefusedAt) {
    public boolean reached() {
      return unclaimed >= bound;
    }
  }

  public UnclaimedInstalls(
      int bound, Supplier<Collection<NodeInstall>> cache, Clock clock, PxeMetrics metrics) {
    this.bound = bound;
    this.cache = cache;
    this.clock = clock;
    this.metrics = metrics;
    metrics.unclaimedBound(bound);
  }

  /** Whether the install is one the bound counts. */
  public static boolean counts(NodeInstall ni) {
    NodeInstallStatus status = ni.getStatus();
    NodeInstallPhase phase = status == null ? null : status.getPhase();
    return fromIntake(ni)
        && ni.getMetadata().getDeletionTimestamp() == null
        && (ni.getSpec() == null || ni.getSpec().getSlot() == null)
        && (phase == null
            || phase == NodeInstallPhase.Waiting
            || phase == NodeInstallPhase.AwaitingApproval);
  }

  /** Whether the DHCP intake made it (it recorded discovery facts; a person's install has none). */
  public static boolean fromIntake(NodeInstall ni) {
    return ni.getStatus() != null
        && ni.getStatus().getDiscovery() != null
        && ni.getStatus().getDiscoveredAt() != null;
  }

  /** When DHCP last reported it: its newest lease event, else its discovery. */
  public static Instant lastHeard(NodeInstallStatus status) {
    Instant discovered = Instant.parse(status.getDiscoveredAt());
    if (status.getLastDhcpEventAt() == null) {
      return discovered;
    }
    Instant event = Instant.parse(status.getLastDhcpEventAt());
    return event.isAfter(discovered) ? event : discovered;
  }

  /**
   * Whether a NodeInstall named {@code name} may be created: true when fewer than the bound are
   * unclaimed, or when it is counted already. A true answer counts the name until the cache shows
   * it with its discovery facts; {@link #forget} takes it back when the create failed.
   */
  public synchronized boolean admit(String name) {
    Instant now = clock.instant();
    Set<String> counted = new HashSet<>();
    Set<String> visible = new HashSet<>();
    for (NodeInstall ni : (Iterable<NodeInstall>) cached()::iterator) {
      if (fromIntake(ni)) {
        visible.add(ni.getMetadata().getName());
      }
      if (counts(ni)) {
        counted.add(ni.getMetadata().getName());
      }
    }
    pending
        .entrySet()
        .removeIf(
            e -> visible.contains(e.getKey()) || e.getValue().plus(PENDING_TTL).isBefore(now));
    if (counted.contains(name) || pending.containsKey(name)) {
      return true;
    }
    counted.addAll(pending.keySet());
    metrics.unclaimedInstalls(counted.size());
    if (counted.size() >= bound) {
      refuse(now);
      return false;
    }
    pending.put(name, now);
    return true;
  }

  /** A create {@link #admit} allowed did not happen. */
  public synchronized void forget(String name) {
    pending.remove(name);
  }

  /** What the status page shows. */
  public synchronized State state() {
    Set<String> counted = new HashSet<>(pending.keySet());
    cached()
        .filter(UnclaimedInstalls::counts)
        .forEach(ni -> counted.add(ni.getMetadata().getName()));
    metrics.unclaimedInstalls(counted.size());
    return new State(counted.size(), bound, refused, lastRefusedAt);
  }

  public int bound() {
    return bound;
  }

  private void refuse(Instant now) {
    refused++;
    refusedSinceLog++;
    lastRefusedAt = now;
    metrics.discoveryOverBound();
    if (lastLogAt == null || !now.isBefore(lastLogAt.plus(LOG_EVERY))) {
      LOG.warn(
          "{} unclaimed NodeInstalls (maxUnclaimedInstalls): {} new PXE MAC(s) not registered"
              + " since the last such line; approve or delete Waiting/AwaitingApproval installs,"
              + " or wait: one without DHCP for a pool lease time is deleted",
          bound,
          refusedSinceLog);
      lastLogAt = now;
      refusedSinceLog = 0;
    }
  }

  private Stream<NodeInstall> cached() {
    return Optional.ofNullable(cache.get()).stream().flatMap(Collection::stream);
  }
}
