package lan.homelab.pxe.http;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.status.Conditions;

/**
 * What the status page and {@code /api/v1/status} show: the queue in order and every NodeInstall
 * with its step timestamps and last Event, read from the API server at the moment of the call.
 */
record StatusSnapshot(
    String generatedAt, String namespace, List<Slot> slots, List<Install> installs) {

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

  static StatusSnapshot read(KubernetesClient client, String namespace, Clock clock) {
    List<ProvisioningSlot> slots =
        client.resources(ProvisioningSlot.class).inNamespace(namespace).list().getItems();
    List<NodeInstall> installs =
        client.resources(NodeInstall.class).inNamespace(namespace).list().getItems();
    Map<String, LastEvent> lastEvents = lastEvents(client, namespace);
    return new StatusSnapshot(
        Conditions.timestamp(clock.instant()),
        namespace,
        slots.stream().sorted(QUEUE_ORDER).map(StatusSnapshot::slot).toList(),
        installs.stream()
            .sorted(Comparator.comparing(ni -> ni.getMetadata().getName()))
            .map(ni -> install(ni, lastEvents.get(ni.getMetadata().getName())))
            .toList());
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

  private static Install install(NodeInstall ni, LastEvent lastEvent) {
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
        lastEvent);
  }

  private static Map<String, LastEvent> lastEvents(KubernetesClient client, String namespace) {
    Map<String, Event> newest = new HashMap<>();
    for (Event e : client.v1().events().inNamespace(namespace).list().getItems()) {
      if (e.getInvolvedObject() == null
          || !"NodeInstall".equals(e.getInvolvedObject().getKind())
          || e.getInvolvedObject().getName() == null) {
        continue;
      }
      newest.merge(
          e.getInvolvedObject().getName(), e, (a, b) -> EVENT_ORDER.compare(a, b) >= 0 ? a : b);
    }
    Map<String, LastEvent> result = new HashMap<>();
    newest.forEach(
        (name, e) ->
            result.put(
                name, new LastEvent(e.getType(), e.getReason(), e.getMessage(), eventTime(e))));
    return result;
  }

  private static final Comparator<Event> EVENT_ORDER =
      Comparator.comparing(StatusSnapshot::eventTime, Comparator.nullsFirst(String::compareTo))
          .thenComparing(StatusSnapshot::resourceVersion);

  private static String eventTime(Event e) {
    if (e.getLastTimestamp() != null) {
      return e.getLastTimestamp();
    }
    if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
      return e.getEventTime().getTime();
    }
    return e.getMetadata().getCreationTimestamp();
  }

  private static long resourceVersion(Event e) {
    try {
      return Long.parseLong(Objects.requireNonNullElse(e.getMetadata().getResourceVersion(), "0"));
    } catch (NumberFormatException notNumeric) {
      return 0;
    }
  }
}
