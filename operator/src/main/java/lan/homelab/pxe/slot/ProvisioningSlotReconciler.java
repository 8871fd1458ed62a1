package lan.homelab.pxe.slot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotStatus;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.claim.StaleClaims;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.status.Conditions;
import lan.homelab.pxe.status.EventRecorder;
import lan.homelab.pxe.status.StatusPatch;

/**
 * The status of one queue entry, derived from the slot, the other slots (validation) and the
 * NodeInstall that holds it. Writes status and Events; claims are made by the NodeInstall side
 * ({@link lan.homelab.pxe.claim.SlotClaimer}), and the only claim this side removes is a label that
 * names a NodeInstall which does not exist ({@link StaleClaims}, Warning Event ClaimCleared).
 * Conditions: Valid (the reasons when not) and Ready (valid and not paused).
 */
@ControllerConfiguration(name = "provisioningslot", generationAwareEventProcessing = false)
public class ProvisioningSlotReconciler implements Reconciler<ProvisioningSlot> {
  /** Index of the slot cache: the NodeInstall that holds a slot, by the slot's claim label. */
  private static final String BY_HOLDER = "holder";

  /** How often a slot is checked again (its answer depends on the template and password). */
  private static final java.time.Duration RESYNC = java.time.Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final Conditions conditions;
  private final EventRecorder events;
  private final Function<ProvisioningSlot, List<String>> answerProblems;
  private final StaleClaims staleClaims;
  private IndexerResourceCache<ProvisioningSlot> slotCache;
  private InformerEventSource<NodeInstall, ProvisioningSlot> installSource;

  /**
   * @param answerProblems what is wrong with the answer this slot's overrides would give
   * @param staleClaims clears claim labels that name a NodeInstall which does not exist
   */
  public ProvisioningSlotReconciler(
      KubernetesClient client,
      OperatorSettings settings,
      Conditions conditions,
      EventRecorder events,
      Function<ProvisioningSlot, List<String>> answerProblems,
      StaleClaims staleClaims) {
    this.client = client;
    this.settings = settings;
    this.conditions = conditions;
    this.events = events;
    this.answerProblems = answerProblems;
    this.staleClaims = staleClaims;
  }

  @Override
  public List<EventSource<?, ProvisioningSlot>> prepareEventSources(
      EventSourceContext<ProvisioningSlot> context) {
    slotCache = context.getPrimaryCache();
    slotCache.addIndexer(BY_HOLDER, slot -> Slots.claimedBy(slot).map(List::of).orElse(List.of()));
    installSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(NodeInstall.class, ProvisioningSlot.class)
                .withSecondaryToPrimaryMapper(this::slotsOf)
                .withPrimaryToSecondaryMapper(
                    (ProvisioningSlot slot) ->
                        Slots.claimedBy(slot)
                            .map(n -> Set.of(new ResourceID(n, slot.getMetadata().getNamespace())))
                            .orElse(Set.of()))
                .build(),
            context);
    return List.of(installSource);
  }

  private Set<ResourceID> slotsOf(NodeInstall install) {
    Set<ResourceID> ids = new HashSet<>();
    String ns = install.getMetadata().getNamespace();
    if (install.getSpec() != null && install.getSpec().getSlot() != null) {
      ids.add(new ResourceID(install.getSpec().getSlot(), ns));
    }
    if (slotCache != null) {
      slotCache
          .byIndex(BY_HOLDER, install.getMetadata().getName())
          .forEach(s -> ids.add(ResourceID.fromResource(s)));
    }
    return ids;
  }

  /** Every problem that keeps this slot from being handed out; the claim path uses the same. */
  public static List<String> problems(
      ProvisioningSlot slot,
      Collection<ProvisioningSlot> all,
      OperatorSettings settings,
      Function<ProvisioningSlot, List<String>> answerProblems) {
    List<String> problems = new java.util.ArrayList<>(SlotValidation.problems(slot, all, settings));
    if (problems.isEmpty()) {
      problems.addAll(answerProblems.apply(slot));
    }
    return problems;
  }

  @Override
  public UpdateControl<ProvisioningSlot> reconcile(
      ProvisioningSlot slot, Context<ProvisioningSlot> context) {
    ProvisioningSlotStatus before =
        slot.getStatus() == null
            ? new ProvisioningSlotStatus()
            : client.getKubernetesSerialization().clone(slot.getStatus());
    ProvisioningSlotStatus status = client.getKubernetesSerialization().clone(before);
    Long generation = slot.getMetadata().getGeneration();
    List<ProvisioningSlot> all = slotCache.list().toList();
    String holder = Slots.claimedBy(slot).orElse(null);
    NodeInstall install =
        holder == null
            ? null
            : installSource
                .get(new ResourceID(holder, slot.getMetadata().getNamespace()))
                .orElse(null);
    staleClaims.retainSlots(all.stream().map(s -> s.getMetadata().getName()).toList());
    StaleClaims.Verdict claim = staleClaims.check(slot, install != null);
    if (claim instanceof StaleClaims.Verdict.Cleared cleared) {
      events.warning(
          slot,
          "ClaimCleared",
          "its claim label named NodeInstall "
              + cleared.holder()
              + ", which has not existed for "
              + StaleClaims.GRACE.toMinutes()
              + " min: removed, the slot is free again");
      return UpdateControl.noUpdate(); // the label's removal brings the next reconcile
    }
    List<String> problems = problems(slot, all, settings, answerProblems);

    status.setHostname(Slots.hostname(slot));
    status.setOrder(Slots.order(slot, settings.network()));
    status.setNodeInstall(holder);
    status.setMac(
        install != null
            ? install.getSpec().getMac()
            : holder == null
                ? null
                : Mac.tryParse(holder.replace('-', ':')).map(Mac::value).orElse(null));
    if (holder != null) {
      NodeInstallPhase phase =
          install == null || install.getStatus() == null ? null : install.getStatus().getPhase();
      status.setPhase(
          phase == NodeInstallPhase.Provisioned ? SlotPhase.Provisioned : SlotPhase.Claimed);
    } else if (!problems.isEmpty()) {
      status.setPhase(SlotPhase.Invalid);
    } else {
      status.setPhase(SlotPhase.Available);
    }
    String problemText = String.join("; ", problems);
    status.setConditions(
        conditions.set(
            status.getConditions(),
            ApiConstants.CONDITION_VALID,
            problems.isEmpty(),
            problems.isEmpty() ? "Valid" : "InvalidSpec",
            problems.isEmpty() ? "the slot can be handed out" : problemText,
            generation));
    boolean paused = Slots.paused(slot);
    status.setConditions(
        conditions.set(
            status.getConditions(),
            ApiConstants.CONDITION_READY,
            problems.isEmpty() && !paused && holder == null,
            holder != null
                ? "Claimed"
                : !problems.isEmpty() ? "InvalidSpec" : paused ? "Paused" : "Available",
            holder != null
                ? "held by " + holder
                : !problems.isEmpty()
                    ? problemText
                    : paused ? "skipped by new claims while paused" : "free for the next machine",
            generation));
    status.setObservedGeneration(generation);

    recordTransition(slot, before, status, problemText);
    StatusPatch.applyAndCache(context, slot, slot.getStatus(), status);
    return UpdateControl.<ProvisioningSlot>noUpdate()
        .rescheduleAfter(
            claim instanceof StaleClaims.Verdict.Suspect suspect
                    && suspect.in().compareTo(RESYNC) < 0
                ? suspect.in()
                : RESYNC);
  }

  private void recordTransition(
      ProvisioningSlot slot,
      ProvisioningSlotStatus before,
      ProvisioningSlotStatus now,
      String problems) {
    if (Objects.equals(before.getPhase(), now.getPhase())
        && (now.getPhase() != SlotPhase.Invalid
            || Objects.equals(
                Conditions.find(before.getConditions(), ApiConstants.CONDITION_VALID) == null
                    ? null
                    : Conditions.find(before.getConditions(), ApiConstants.CONDITION_VALID)
                        .getMessage(),
                problems))) {
      return;
    }
    switch (now.getPhase()) {
      case Invalid ->
          events.warning(slot, "InvalidSpec", "never handed out until fixed: " + problems);
      case Claimed ->
          events.normal(
              slot, "Claimed", "claimed by " + now.getNodeInstall() + " (" + now.getMac() + ")");
      case Provisioned ->
          events.normal(slot, "Provisioned", now.getNodeInstall() + " is provisioned");
      case Available -> events.normal(slot, "Available", "free for the next machine");
    }
  }
}
