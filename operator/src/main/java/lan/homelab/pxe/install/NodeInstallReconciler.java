package lan.homelab.pxe.install;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.ClaimDecision;
import lan.homelab.pxe.claim.DenyList;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.claim.SlotClaimer;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.metrics.PxeMetrics;
import lan.homelab.pxe.render.DnsmasqConfRenderer;
import lan.homelab.pxe.slot.Slots;
import lan.homelab.pxe.status.Conditions;
import lan.homelab.pxe.status.EventRecorder;
import lan.homelab.pxe.status.StatusPatch;

/**
 * The lifecycle of one machine. Inputs: the NodeInstall (created by the discovery intake or by a
 * person), every ProvisioningSlot, the reports of {@link InstallReports} (discovery, boot script,
 * answer and webhook times in status) and the manual annotations (approved, retry,
 * mark-provisioned, slot-on-delete). Outputs: the claim on a slot, spec.slot, the phase and
 * conditions, the per-node ConfigMap and token Secret while Installing, dnsmasq's host entries (via
 * {@link BootConfigPublisher}) and an Event for every step.
 *
 * <p>Phases: a new machine waits for approval (approval mode), then takes a slot (Installing) or
 * waits for one (Waiting). Installing becomes Provisioned when the webhook was recorded (also after
 * a timeout: the disk was installed) and Failed when the install timeout passes first. Status
 * fields written by {@link InstallReports} are read here, never written, except that a retry clears
 * them.
 */
@ControllerConfiguration(name = "nodeinstall", generationAwareEventProcessing = false)
public class NodeInstallReconciler implements Reconciler<NodeInstall>, Cleaner<NodeInstall> {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(NodeInstallReconciler.class);

  /** How often an Installing node's files are rendered again (template or password changes). */
  private static final Duration RESYNC = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final Conditions conditions;
  private final EventRecorder events;
  private final SlotClaimer claimer;
  private final InstallTokens tokens;
  private final NodeFiles nodeFiles;
  private final NodeFilesRenderer renderer;
  private final PxeMetrics metrics;
  private final Function<
          Collection<ProvisioningSlot>, java.util.function.Predicate<ProvisioningSlot>>
      validity;
  private final DenyList denyList;
  private final java.util.function.Supplier<Map<String, Map<String, String>>> staticConfig;
  private InformerEventSource<ProvisioningSlot, NodeInstall> slotSource;
  private InformerEventSource<ConfigMap, NodeInstall> nodeFileSource;
  private InformerEventSource<Secret, NodeInstall> tokenSource;
  private io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<NodeInstall>
      installCache;
  private BootConfigPublisher publisher;

  /**
   * @param validity given every slot, tells whether one slot is valid (the same rules the slot
   *     reconciler reports as its Valid condition)
   * @param staticConfig the boot pod's static ConfigMaps to publish, by name (may be empty)
   */
  public NodeInstallReconciler(
      KubernetesClient client,
      OperatorSettings settings,
      Conditions conditions,
      EventRecorder events,
      SlotClaimer claimer,
      NodeFilesRenderer renderer,
      PxeMetrics metrics,
      Function<Collection<ProvisioningSlot>, java.util.function.Predicate<ProvisioningSlot>>
          validity,
      java.util.function.Supplier<Map<String, Map<String, String>>> staticConfig) {
    this.client = client;
    this.settings = settings;
    this.conditions = conditions;
    this.events = events;
    this.claimer = claimer;
    this.tokens = new InstallTokens(client);
    this.nodeFiles = new NodeFiles(client);
    this.renderer = renderer;
    this.metrics = metrics;
    this.validity = validity;
    this.denyList = new DenyList(settings.denyList());
    this.staticConfig = staticConfig;
  }

  @Override
  public List<EventSource<?, NodeInstall>> prepareEventSources(
      EventSourceContext<NodeInstall> context) {
    installCache = context.getPrimaryCache();
    slotSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ProvisioningSlot.class, NodeInstall.class)
                .withSecondaryToPrimaryMapper(this::installsAffectedBy)
                .withPrimaryToSecondaryMapper(
                    (NodeInstall ni) ->
                        ni.getSpec() == null || ni.getSpec().getSlot() == null
                            ? Set.of()
                            : Set.of(ownedId(ni, ni.getSpec().getSlot())))
                .withOnUpdateFilter(NodeInstallReconciler::claimRelevantChange)
                .build(),
            context);
    String ownedByAnInstall =
        ApiConstants.LABEL_MANAGED_BY
            + "="
            + ApiConstants.MANAGED_BY_VALUE
            + ","
            + ApiConstants.LABEL_NODE_INSTALL;
    nodeFileSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, NodeInstall.class)
                .withName("node-files")
                .withPrimaryToSecondaryMapper(
                    (NodeInstall ni) ->
                        Set.of(ownedId(ni, Names.nodeConfigMap(ni.getMetadata().getName()))))
                .withLabelSelector(ownedByAnInstall)
                .build(),
            context);
    tokenSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, NodeInstall.class)
                .withName("install-tokens")
                .withPrimaryToSecondaryMapper((NodeInstall ni) -> Set.of(tokenId(ni)))
                .withLabelSelector(ownedByAnInstall)
                .build(),
            context);
    publisher =
        new BootConfigPublisher(
            client, settings.namespace(), this::allInstalls, this::allSlots, staticConfig);
    return List.of(slotSource, nodeFileSource, tokenSource);
  }

  /**
   * Which slot updates can let a waiting machine claim: a spec change, a deletion, a claim given
   * up, a reservation changed. A new claim or a status write cannot (every claim would otherwise
   * wake every waiting machine); the machine that claimed is woken by its own spec.slot write.
   */
  private static boolean claimRelevantChange(ProvisioningSlot now, ProvisioningSlot before) {
    Optional<String> heldBefore = Slots.claimedBy(before);
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(
            now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp())
        || (heldBefore.isPresent() && !heldBefore.equals(Slots.claimedBy(now)))
        || !Slots.reservedFor(now).equals(Slots.reservedFor(before));
  }

  /** A slot change concerns the machine that holds it or is kept for it, and every waiting one. */
  private Set<ResourceID> installsAffectedBy(ProvisioningSlot slot) {
    Set<ResourceID> ids = new HashSet<>();
    String ns = slot.getMetadata().getNamespace();
    Slots.claimedBy(slot).ifPresent(n -> ids.add(new ResourceID(n, ns)));
    Slots.keptFor(slot).ifPresent(n -> ids.add(new ResourceID(n, ns)));
    if (installCache != null) {
      installCache
          .list(ni -> ni.getSpec() != null && ni.getSpec().getSlot() == null)
          .forEach(ni -> ids.add(ResourceID.fromResource(ni)));
      installCache
          .list(
              ni ->
                  ni.getSpec() != null
                      && slot.getMetadata().getName().equals(ni.getSpec().getSlot()))
          .forEach(ni -> ids.add(ResourceID.fromResource(ni)));
    }
    return ids;
  }

  /** Every NodeInstall in the operator's cache (kept by watching on every replica). */
  public Collection<NodeInstall> allInstalls() {
    return installCache == null ? List.of() : installCache.list().toList();
  }

  /** Every ProvisioningSlot in the operator's cache (kept by watching on every replica). */
  public Collection<ProvisioningSlot> allSlots() {
    return slotSource.list(settings.namespace(), s -> true).toList();
  }

  public BootConfigPublisher publisher() {
    return publisher;
  }

  @Override
  public UpdateControl<NodeInstall> reconcile(NodeInstall install, Context<NodeInstall> context) {
    NodeInstallStatus before = copy(install.getStatus());
    NodeInstallStatus status = copy(install.getStatus());
    Optional<Duration> recheck = Optional.empty();
    try {
      Optional<Mac> mac =
          Mac.tryParse(install.getSpec() == null ? null : install.getSpec().getMac());
      if (mac.isEmpty() || !mac.get().objectName().equals(install.getMetadata().getName())) {
        reject(
            status,
            mac.isEmpty()
                ? "spec.mac is not a MAC address"
                : "the name must be the MAC with dashes: " + mac.get().objectName());
        return finish(install, context, before, status, recheck);
      }
      if (!mac.get().value().equals(install.getSpec().getMac())) {
        install.getSpec().setMac(mac.get().value());
        client.resource(install).update();
        return UpdateControl.noUpdate();
      }
      boolean holdsSlot = install.getSpec().getSlot() != null;
      if (!holdsSlot && denyList.denies(mac.get())) {
        reject(status, "the MAC is on the deny-list: it never claims a slot");
        return finish(install, context, before, status, recheck);
      }
      if (handleAnnotations(install, status)) {
        return finish(install, context, before, status, recheck);
      }
      ProvisioningSlot slot = heldSlot(install);
      if (slot == null && status.getPhase() == NodeInstallPhase.Provisioned) {
        return finish(install, context, before, status, recheck);
      }
      if (slot == null && holdsSlot && claimVanishedBeforeBoot(status)) {
        String lost = install.getSpec().getSlot();
        if (!clearSlot(install, context)) {
          return UpdateControl.<NodeInstall>noUpdate().rescheduleAfter(Duration.ZERO);
        }
        removeNodeFiles(install);
        events.warning(
            install,
            "ClaimLost",
            "its claim on slot " + lost + " is gone and it has not booted yet: it queues again");
        status.setPhase(NodeInstallPhase.Waiting);
        status.setReason("its claim on slot " + lost + " vanished before it booted; queued again");
        status.setClaimedAt(null);
        status.setAddress(null);
        status.setHostname(null);
        status.setFqdn(null);
        return finish(install, context, before, status, Optional.of(Duration.ZERO));
      }
      if (slot == null && holdsSlot) {
        fail(
            status,
            "its claim on slot "
                + install.getSpec().getSlot()
                + " is gone (slot deleted or claim removed)");
        return finish(install, context, before, status, recheck);
      }
      if (slot == null && UnclaimedInstalls.counts(install)) {
        Instant expires =
            UnclaimedInstalls.lastHeard(install.getStatus()).plus(DnsmasqConfRenderer.POOL_LEASE);
        Instant now = conditions.clock().instant();
        if (!now.isBefore(expires)) {
          expireDiscovery(install);
          return UpdateControl.noUpdate();
        }
        recheck = Optional.of(Duration.between(now, expires).plusMillis(500));
      }
      if (slot == null) {
        if (settings.claimPolicy() == OperatorSettings.ClaimPolicy.approval && !approved(install)) {
          status.setPhase(NodeInstallPhase.AwaitingApproval);
          status.setReason(
              "approve with: kubectl annotate nodeinstall "
                  + install.getMetadata().getName()
                  + " "
                  + ApiConstants.ANNOTATION_APPROVED
                  + "=true");
          return finish(install, context, before, status, recheck);
        }
        ClaimDecision decision =
            claimer.claim(install, this::allSlots, this::allInstalls, validity.apply(allSlots()));
        if (decision instanceof ClaimDecision.Retry) {
          return UpdateControl.<NodeInstall>noUpdate().rescheduleAfter(Duration.ofMillis(50));
        }
        if (decision instanceof ClaimDecision.Wait wait) {
          status.setPhase(NodeInstallPhase.Waiting);
          status.setReason(wait.reason());
          return finish(install, context, before, status, recheck);
        }
        String slotName =
            decision instanceof ClaimDecision.Take take
                ? take.slot()
                : ((ClaimDecision.Adopt) decision).slot();
        slot =
            allSlots().stream()
                .filter(s -> s.getMetadata().getName().equals(slotName))
                .findFirst()
                .orElse(null);
        if (!recordSlot(
            install, context, slotName, slot == null ? null : slot.getSpec().getAddress())) {
          return UpdateControl.<NodeInstall>noUpdate().rescheduleAfter(Duration.ZERO);
        }
        status.setPhase(NodeInstallPhase.Installing);
        status.setClaimedAt(conditions.now());
        status.setReason(null);
        if (status.getDiscoveredAt() != null) {
          metrics.claimed(
              Duration.between(
                  Instant.parse(status.getDiscoveredAt()), conditions.clock().instant()));
        }
        if (slot == null) {
          return finish(install, context, before, status, Optional.of(Duration.ofMillis(200)));
        }
      }
      recheck = followInstall(install, slot, status);
      return finish(install, context, before, status, recheck);
    } finally {
      if (publisher != null) {
        publisher.requestRender();
      }
    }
  }

  /** Installing, Provisioned or Failed with a slot: the steps after the claim. */
  private Optional<Duration> followInstall(
      NodeInstall install, ProvisioningSlot slot, NodeInstallStatus status) {
    syncAddressLabel(install, slot.getSpec().getAddress());
    status.setAddress(slot.getSpec().getAddress());
    status.setHostname(Slots.hostname(slot));
    status.setFqdn(Slots.hostname(slot) + "." + settings.domain());
    if (status.getPhase() == null
        || status.getPhase() == NodeInstallPhase.Waiting
        || status.getPhase() == NodeInstallPhase.AwaitingApproval) {
      status.setPhase(NodeInstallPhase.Installing);
      if (status.getClaimedAt() == null) {
        status.setClaimedAt(conditions.now());
      }
    }
    if (status.getWebhookReceivedAt() != null
        && status.getPhase() != NodeInstallPhase.Provisioned) {
      status.setPhase(NodeInstallPhase.Provisioned);
      status.setCompletedAt(conditions.now());
      status.setReason(null);
    }
    if (status.getPhase() == NodeInstallPhase.Installing && status.getBootRefusal() != null) {
      fail(status, "the boot script refused to start the installer: " + status.getBootRefusal());
    }
    if (status.getPhase() != NodeInstallPhase.Installing) {
      removeNodeFiles(install);
      return Optional.empty();
    }
    Instant deadline = Instant.parse(status.getClaimedAt()).plus(settings.installTimeout());
    Instant now = conditions.clock().instant();
    Instant unbootedBy = Instant.parse(status.getClaimedAt()).plus(settings.unbootedRelease());
    boolean unbooted = neverBooted(status);
    if (unbooted && !now.isBefore(unbootedBy)) {
      releaseUnbooted(install, slot);
      return Optional.empty();
    }
    Instant wakeAt = unbooted && unbootedBy.isBefore(deadline) ? unbootedBy : deadline;
    if (!now.isBefore(deadline)) {
      fail(
          status,
          "no post-installation webhook within "
              + settings.installTimeout().toMinutes()
              + " min of the claim");
      removeNodeFiles(install);
      return Optional.empty();
    }
    ResourceID tokenId = tokenId(install);
    InstallTokens.Token token = tokens.ensure(install, tokenSource.get(tokenId));
    token.minted().ifPresent(s -> tokenSource.handleRecentResourceCreate(tokenId, s));
    NodeFilesRenderer.Result files = renderer.render(install, slot, token.value());
    if (files instanceof NodeFilesRenderer.Result.Invalid invalid) {
      removeNodeFiles(install);
      status.setReason(
          "its answer is invalid, nothing is served: " + String.join("; ", invalid.problems()));
    } else {
      ResourceID id = ownedId(install, Names.nodeConfigMap(install.getMetadata().getName()));
      Optional<ConfigMap> cached = nodeFileSource.get(id);
      nodeFiles
          .publish(install, ((NodeFilesRenderer.Result.Rendered) files).data(), cached)
          .ifPresent(
              written ->
                  cached.ifPresentOrElse(
                      old -> nodeFileSource.handleRecentResourceUpdate(id, written, old),
                      () -> nodeFileSource.handleRecentResourceCreate(id, written)));
      if (status.getReason() != null && status.getReason().startsWith("its answer is invalid")) {
        status.setReason(null);
      }
    }
    Duration untilDeadline = Duration.between(now, wakeAt).plusMillis(500);
    return Optional.of(untilDeadline.compareTo(RESYNC) < 0 ? untilDeadline : RESYNC);
  }

  /**
   * Nothing of the install was seen on the machine yet: no boot script, answer, webhook or boot
   * refusal recorded.
   */
  private static boolean neverBooted(NodeInstallStatus status) {
    return status.getBootScriptServedAt() == null
        && status.getAnswerServedAt() == null
        && status.getWebhookReceivedAt() == null
        && status.getBootRefusal() == null;
  }

  /**
   * A claim no machine used within {@link OperatorSettings#unbootedRelease()}: a forged or vanished
   * PXE client (in automatic mode anyone on the LAN can claim a slot with a forged DHCP request).
   * The slot is released, not kept for the MAC, so the next machine in the queue takes it; the
   * install is deleted (a real machine that comes back is discovered again). Event on the slot.
   */
  private void releaseUnbooted(NodeInstall install, ProvisioningSlot slot) {
    String name = install.getMetadata().getName();
    String message =
        "NodeInstall "
            + name
            + " fetched no boot script within "
            + describe(settings.unbootedRelease())
            + " of its claim: slot released (not kept for "
            + install.getSpec().getMac()
            + "), the install deleted";
    claimer.releaseAll(name, slot.getMetadata().getName(), false);
    events.warning(slot, "UnbootedReleased", message);
    log.info("{}: {}", slot.getMetadata().getName(), message);
    removeNodeFiles(install);
    client.resource(install).delete();
  }

  /**
   * An install from the DHCP intake that holds no slot and had no lease event for a pool lease
   * time: its pool lease is over, so the machine left (or never existed: a forged DISCOVER). It is
   * deleted, which frees its place under {@link OperatorSettings#maxUnclaimedInstalls()}.
   */
  private void expireDiscovery(NodeInstall install) {
    String message =
        "no DHCP event since "
            + Conditions.timestamp(UnclaimedInstalls.lastHeard(install.getStatus()))
            + " (pool lease time "
            + describe(DnsmasqConfRenderer.POOL_LEASE)
            + "): deleted; the machine is discovered again when it asks DHCP";
    events.normal(install, "DiscoveryExpired", message);
    log.info("{}: {}", install.getMetadata().getName(), message);
    client.resource(install).delete();
  }

  private static String describe(Duration d) {
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }

  /**
   * Removes the node's ConfigMap when the operator's cache shows one. A ConfigMap created so
   * recently that the cache does not show it yet wakes this install when it appears, and goes then:
   * every reconcile that leaves the install in a phase other than Installing calls this.
   */
  private void removeNodeFiles(NodeInstall install) {
    if (nodeFileSource
        .get(ownedId(install, Names.nodeConfigMap(install.getMetadata().getName())))
        .isPresent()) {
      nodeFiles.remove(install);
    }
  }

  private static ResourceID tokenId(NodeInstall install) {
    return ownedId(install, Names.tokenSecret(install.getMetadata().getName()));
  }

  private static ResourceID ownedId(NodeInstall install, String name) {
    return new ResourceID(name, install.getMetadata().getNamespace());
  }

  /** Acts on the manual annotations; true when the phase was decided by one of them. */
  private boolean handleAnnotations(NodeInstall install, NodeInstallStatus status) {
    Map<String, String> annotations = install.getMetadata().getAnnotations();
    if (annotations == null) {
      return false;
    }
    if ("true".equals(annotations.get(ApiConstants.ANNOTATION_MARK_PROVISIONED))) {
      removeAnnotation(install, ApiConstants.ANNOTATION_MARK_PROVISIONED);
      if (status.getPhase() != NodeInstallPhase.Provisioned) {
        status.setPhase(NodeInstallPhase.Provisioned);
        status.setCompletedAt(conditions.now());
        status.setReason("marked provisioned by hand");
        nodeFiles.remove(install);
      }
      return true;
    }
    if (annotations.get(ApiConstants.ANNOTATION_RETRY) != null) {
      removeAnnotation(install, ApiConstants.ANNOTATION_RETRY);
      if (status.getPhase() == NodeInstallPhase.Failed) {
        tokens.revoke(install, tokenSource.get(tokenId(install)));
        status.setPhase(NodeInstallPhase.Installing);
        status.setClaimedAt(conditions.now());
        status.setBootScriptServedAt(null);
        status.setBootRefusal(null);
        status.setAnswerServedAt(null);
        status.setWebhookReceivedAt(null);
        status.setAnswerRequest(null);
        status.setReason(null);
        events.normal(install, "RetryRequested", "a person asked to install this machine again");
      }
    }
    return false;
  }

  private boolean approved(NodeInstall install) {
    Map<String, String> annotations = install.getMetadata().getAnnotations();
    return annotations != null && "true".equals(annotations.get(ApiConstants.ANNOTATION_APPROVED));
  }

  /**
   * The slot this install holds: spec.slot when the slot's claim label agrees. The cache may lag
   * behind a claim just made, so a disagreement is checked against the API server before it counts.
   */
  private ProvisioningSlot heldSlot(NodeInstall install) {
    String name = install.getSpec().getSlot();
    if (name == null) {
      return null;
    }
    String me = install.getMetadata().getName();
    ProvisioningSlot cached =
        allSlots().stream()
            .filter(s -> s.getMetadata().getName().equals(name))
            .findFirst()
            .orElse(null);
    if (cached != null && me.equals(Slots.claimedBy(cached).orElse(null))) {
      return cached;
    }
    ProvisioningSlot live =
        client
            .resources(ProvisioningSlot.class)
            .inNamespace(install.getMetadata().getNamespace())
            .withName(name)
            .get();
    return live != null && me.equals(Slots.claimedBy(live).orElse(null)) ? live : null;
  }

  /**
   * Second step of a claim: spec.slot, written with a resourceVersion check. A conflict caused by a
   * status write (the intake records discovery facts) is retried on the fresh object; when another
   * writer gave this install a different slot (a second leader for a moment), this slot is given
   * back, so no machine holds two.
   */
  private boolean recordSlot(
      NodeInstall install, Context<NodeInstall> context, String slotName, String address) {
    NodeInstall current = install;
    for (int attempt = 1; attempt <= 5; attempt++) {
      if (slotName.equals(current.getSpec().getSlot())) {
        return true;
      }
      if (current.getSpec().getSlot() != null) {
        claimer.release(slotName, install.getMetadata().getName(), false);
        return false;
      }
      if (writeSlot(install, current, context, slotName, address)) {
        return true;
      }
      current =
          client
              .resources(NodeInstall.class)
              .inNamespace(install.getMetadata().getNamespace())
              .withName(install.getMetadata().getName())
              .get();
      if (current == null) {
        claimer.release(slotName, install.getMetadata().getName(), false);
        return false;
      }
    }
    return false;
  }

  /**
   * A claim that vanished (slot deleted, label removed by a person, or given back by a second
   * leader during a lease handover) before anything of this install was seen on the machine: no
   * boot script, answer, webhook or boot refusal recorded. It queues again instead of failing.
   * Records come from nginx's notifications, which are not retried: a machine whose boot-script and
   * answer reports were both lost would queue again while it installs; its installer then asks DHCP
   * again and gets the new slot's reservation.
   */
  private static boolean claimVanishedBeforeBoot(NodeInstallStatus status) {
    return status.getBootScriptServedAt() == null
        && status.getAnswerServedAt() == null
        && status.getWebhookReceivedAt() == null
        && status.getBootRefusal() == null
        && (status.getPhase() == null
            || status.getPhase() == NodeInstallPhase.Installing
            || status.getPhase() == NodeInstallPhase.Waiting);
  }

  /** Sets (or with null removes) the address label on {@code install}, in memory. */
  private static void withAddressLabel(NodeInstall install, String address) {
    Map<String, String> labels =
        new HashMap<>(Objects.requireNonNullElse(install.getMetadata().getLabels(), Map.of()));
    if (address == null) {
      labels.remove(ApiConstants.LABEL_ADDRESS);
    } else {
      labels.put(ApiConstants.LABEL_ADDRESS, address);
    }
    install.getMetadata().setLabels(labels);
  }

  /**
   * Keeps the address label equal to the held slot's address (set with spec.slot; this covers a
   * claim recorded before the slot was in the cache, and installs claimed by older versions).
   */
  private void syncAddressLabel(NodeInstall install, String address) {
    Map<String, String> labels = install.getMetadata().getLabels();
    if (labels != null && address.equals(labels.get(ApiConstants.LABEL_ADDRESS))) {
      return;
    }
    client
        .resources(NodeInstall.class)
        .inNamespace(install.getMetadata().getNamespace())
        .withName(install.getMetadata().getName())
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            metadataPatch("labels", ApiConstants.LABEL_ADDRESS, address));
  }

  /** Clears spec.slot with a resourceVersion check; false on a conflict (reconciled again). */
  private boolean clearSlot(NodeInstall install, Context<NodeInstall> context) {
    return writeSlot(install, install, context, null, null);
  }

  /**
   * Writes spec.slot and the address label (null removes both) onto {@code current}, the install as
   * last read, with a resourceVersion check; hands the result to JOSDK's cache and copies it into
   * {@code install}, the object this reconcile works on. False on a conflict.
   */
  private boolean writeSlot(
      NodeInstall install,
      NodeInstall current,
      Context<NodeInstall> context,
      String slot,
      String address) {
    NodeInstall next = client.getKubernetesSerialization().clone(current);
    next.getSpec().setSlot(slot);
    withAddressLabel(next, address);
    try {
      NodeInstall written = client.resource(next).update();
      StatusPatch.remember(context, current, written);
      install.getSpec().setSlot(slot);
      install.getMetadata().setLabels(written.getMetadata().getLabels());
      install.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
      install.getMetadata().setGeneration(written.getMetadata().getGeneration());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      return false;
    }
  }

  /** Removes a manual annotation once acted on (a merge patch, as kubectl annotate KEY- does). */
  private void removeAnnotation(NodeInstall install, String key) {
    client
        .resources(NodeInstall.class)
        .inNamespace(install.getMetadata().getNamespace())
        .withName(install.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), metadataPatch("annotations", key, null));
  }

  /** A merge patch that sets one label or annotation ({@code field}), or removes it (null). */
  private static String metadataPatch(String field, String key, String value) {
    ObjectNode patch = Serialization.jsonMapper().createObjectNode();
    ObjectNode entries = patch.putObject("metadata").putObject(field);
    if (value == null) {
      entries.putNull(key);
    } else {
      entries.put(key, value);
    }
    return patch.toString();
  }

  private void reject(NodeInstallStatus status, String reason) {
    status.setPhase(NodeInstallPhase.Rejected);
    status.setReason(reason);
  }

  private void fail(NodeInstallStatus status, String reason) {
    status.setPhase(NodeInstallPhase.Failed);
    status.setReason(reason);
  }

  /** Conditions, last step, Events for the transition; patches the status fields that changed. */
  private UpdateControl<NodeInstall> finish(
      NodeInstall install,
      Context<NodeInstall> context,
      NodeInstallStatus before,
      NodeInstallStatus status,
      Optional<Duration> recheck) {
    Long generation = install.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    status.setLastStep(lastStep(status));
    NodeInstallPhase phase = status.getPhase();
    status.setConditions(
        conditions.set(
            status.getConditions(),
            ApiConstants.CONDITION_CLAIMED,
            install.getSpec() != null && install.getSpec().getSlot() != null,
            phase == NodeInstallPhase.Waiting ? "Waiting" : String.valueOf(phase),
            Objects.requireNonNullElse(status.getReason(), describe(status)),
            generation));
    status.setConditions(
        conditions.set(
            status.getConditions(),
            ApiConstants.CONDITION_READY,
            phase == NodeInstallPhase.Provisioned,
            String.valueOf(phase),
            Objects.requireNonNullElse(status.getReason(), describe(status)),
            generation));
    if (phase != NodeInstallPhase.Installing) {
      removeNodeFiles(install);
    }
    recordTransition(install, before, status);
    StatusPatch.applyAndCache(context, install, install.getStatus(), status);
    UpdateControl<NodeInstall> control = UpdateControl.noUpdate();
    recheck.ifPresent(control::rescheduleAfter);
    return control;
  }

  private void recordTransition(
      NodeInstall install, NodeInstallStatus before, NodeInstallStatus now) {
    NodeInstallPhase was = before == null ? null : before.getPhase();
    NodeInstallPhase is = now.getPhase();
    if (Objects.equals(was, is)) {
      return;
    }
    String message = describe(now) + (now.getReason() == null ? "" : ": " + now.getReason());
    switch (is) {
      case Failed, Rejected -> events.warning(install, is.name(), message);
      default ->
          events.normal(
              install, is == NodeInstallPhase.Installing ? "Claimed" : is.name(), message);
    }
  }

  private static String describe(NodeInstallStatus s) {
    if (s.getPhase() == null) {
      return "new";
    }
    return switch (s.getPhase()) {
      case Waiting -> "waiting for a free slot";
      case AwaitingApproval -> "waiting for a person to approve";
      case Installing -> "installing as " + s.getHostname() + " (" + s.getAddress() + ")";
      case Provisioned -> "provisioned as " + s.getFqdn() + " (" + s.getAddress() + ")";
      case Failed -> "install failed";
      case Rejected -> "never installed";
    };
  }

  private static String lastStep(NodeInstallStatus s) {
    if (s.getCompletedAt() != null && s.getPhase() == NodeInstallPhase.Provisioned) {
      return s.getWebhookReceivedAt() != null ? "WebhookReceived" : "MarkedProvisioned";
    }
    if (s.getWebhookReceivedAt() != null) {
      return "WebhookReceived";
    }
    if (s.getAnswerServedAt() != null) {
      return "AnswerServed";
    }
    if (s.getBootScriptServedAt() != null) {
      return "BootScriptServed";
    }
    if (s.getClaimedAt() != null) {
      return "Claimed";
    }
    if (s.getDiscoveredAt() != null) {
      return "Discovered";
    }
    return null;
  }

  private NodeInstallStatus copy(NodeInstallStatus status) {
    if (status == null) {
      return new NodeInstallStatus();
    }
    return client.getKubernetesSerialization().clone(status);
  }

  /**
   * Deleting a NodeInstall frees its machine for a new install: the slot is released (or kept for
   * this MAC, per the slot-on-delete annotation or the operator's default), so is every other slot
   * whose claim label names it, and its ConfigMap, token and dnsmasq entry go away before the
   * object does.
   */
  @Override
  public DeleteControl cleanup(NodeInstall install, Context<NodeInstall> context) {
    String slot = install.getSpec() == null ? null : install.getSpec().getSlot();
    Map<String, String> annotations =
        Objects.requireNonNullElse(install.getMetadata().getAnnotations(), new HashMap<>());
    String policy =
        annotations.getOrDefault(
            ApiConstants.ANNOTATION_SLOT_ON_DELETE, settings.slotOnDelete().name());
    claimer.releaseAll(install.getMetadata().getName(), slot, "keep".equals(policy));
    nodeFiles.remove(install);
    tokens.revoke(install, tokenSource.get(tokenId(install)));
    if (publisher != null) {
      publisher.publish();
    }
    return DeleteControl.defaultDelete();
  }
}
