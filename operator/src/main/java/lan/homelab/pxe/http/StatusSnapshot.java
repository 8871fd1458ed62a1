package lan.homelab.pxe.http;

import io.fabric8.kubernetes.api.model.Event;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.install.UnclaimedInstalls;
import lan.homelab.pxe.status.Conditions;
import lan.homelab.pxe.status.NodeInstallEvents;

/**
 * What the status page, {@code /api/v1/status} and the phase gauges of {@code /metrics} show: the
 * queue in order and every NodeInstall with its step timestamps and last Event, as the operator's
 * caches hold them ({@link StatusSource}): no request costs an API call.
 */
record StatusSnapshot(
    String generatedAt,
    String namespace,
    List<Slot> slots,
    List<Install> installs,
    Discovery discovery) {

  /**
   * The DHCP intake's bound on installs without a slot; {@code line} is what the status page shows
   * (null while the bound was never reached).
   */
  record Discovery(
      int unclaimed, int bound, boolean reached, long refused, String lastRefusedAt, String line) {
    static Discovery of(UnclaimedInstalls.State state) {
      String last =
          state.lastRefusedAt() == null ? null : Conditions.timestamp(state.lastRefusedAt());
      String line =
          !state.reached() && state.refused() == 0
              ? null
              : state.unclaimed()
                  + " of at most "
                  + state.bound()
                  + " machines without a slot (maxUnclaimedInstalls)"
                  + (state.reached() ? ": new PXE MACs are not registered" : "")
                  + (state.refused() == 0
                      ? ""
                      : "; " + state.refused() + " discoveries refused, the last at " + last);
      return new Discovery(
          state.unclaimed(), state.bound(), state.reached(), state.refused(), last, line);
    }
  }

  /** One queue entry. */
  record Slot(
      String name,
      Long order,
      String address,
      String hostname,
      String phase,
      Boolean paused,
      String holder,
      String mac) {}

  /** One machine. */
  record Install(
      String name,
      String mac,
      String phase,
      String slot,
      String address,
      String hostname,
      String lastStep,
      String reason,
      String discoveredAt,
      String claimedAt,
      String bootScriptServedAt,
      String answerServedAt,
      String webhookReceivedAt,
      String completedAt,
      LastEvent lastEvent) {}

  /** The newest Event about a NodeInstall. */
  record LastEvent(String type, String reason, String message, String time) {}

  /** The snapshot of what the source holds now. */
  static StatusSnapshot of(StatusSource source, String namespace, Clock clock) {
    return new StatusSnapshot(
        Conditions.timestamp(clock.instant()),
        namespace,
        source.slots().get().stream().sorted(QUEUE_ORDER).map(StatusSnapshot::slot).toList(),
        source.installs().get().stream()
            .sorted(Comparator.comparing(ni -> ni.getMetadata().getName()))
            .map(ni -> install(ni, source.newestEvent().apply(ni.getMetadata().getName())))
            .toList(),
        source.unclaimed() == null ? null : Discovery.of(source.unclaimed().get()));
  }

  /** Counts by phase, every phase present (zero when none), plus "Unset" for fresh objects. */
  Map<String, Long> slotsByPhase() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (SlotPhase phase : SlotPhase.values()) {
      counts.put(phase.name(), 0L);
    }
    counts.put("Unset", 0L);
    slots.forEach(s -> counts.merge(s.phase() == null ? "Unset" : s.phase(), 1L, Long::sum));
    return counts;
  }

  Map<String, Long> installsByPhase() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (NodeInstallPhase phase : NodeInstallPhase.values()) {
      counts.put(phase.name(), 0L);
    }
    counts.put("Unset", 0L);
    installs.forEach(i -> counts.merge(i.phase() == null ? "Unset" : i.phase(), 1L, Long::sum));
    return counts;
  }

  private static final Comparator<ProvisioningSlot> QUEUE_ORDER =
      Comparator.comparing(StatusSnapshot::effectiveOrder, Comparator.nullsLast(Long::compare))
          .thenComparing(
              StatusSnapshot::addressBits, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(s -> s.getMetadata().getName());

  private static Long effectiveOrder(ProvisioningSlot slot) {
    if (slot.getStatus() != null && slot.getStatus().getOrder() != null) {
      return slot.getStatus().getOrder();
    }
    return slot.getSpec() == null || slot.getSpec().getOrder() == null
        ? null
        : slot.getSpec().getOrder().longValue();
  }

  private static Long addressBits(ProvisioningSlot slot) {
    return slot.getSpec() == null
        ? null
        : Ipv4.tryParse(slot.getSpec().getAddress()).map(Ipv4::bits).orElse(null);
  }

  private static Slot slot(ProvisioningSlot s) {
    var spec = s.getSpec();
    var status = s.getStatus();
    Map<String, String> labels = s.getMetadata().getLabels();
    String holder =
        status != null && status.getNodeInstall() != null
            ? status.getNodeInstall()
            : labels == null ? null : labels.get(ApiConstants.LABEL_CLAIMED_BY);
    return new Slot(
        s.getMetadata().getName(),
        effectiveOrder(s),
        spec == null ? null : spec.getAddress(),
        status != null && status.getHostname() != null
            ? status.getHostname()
            : spec == null ? null : spec.getHostname(),
        status == null || status.getPhase() == null ? null : status.getPhase().name(),
        spec == null ? null : spec.getPaused(),
        holder,
        status == null ? null : status.getMac());
  }

  private static Install install(NodeInstall ni, Optional<Event> newestEvent) {
    NodeInstallStatus st = ni.getStatus() == null ? new NodeInstallStatus() : ni.getStatus();
    return new Install(
        ni.getMetadata().getName(),
        ni.getSpec() == null ? null : ni.getSpec().getMac(),
        st.getPhase() == null ? null : st.getPhase().name(),
        ni.getSpec() == null ? null : ni.getSpec().getSlot(),
        st.getAddress(),
        st.getHostname(),
        st.getLastStep(),
        st.getReason(),
        st.getDiscoveredAt(),
        st.getClaimedAt(),
        st.getBootScriptServedAt(),
        st.getAnswerServedAt(),
        st.getWebhookReceivedAt(),
        st.getCompletedAt(),
        newestEvent
            .map(
                e ->
                    new LastEvent(
                        e.getType(), e.getReason(), e.getMessage(), NodeInstallEvents.time(e)))
            .orElse(null));
  }
}
