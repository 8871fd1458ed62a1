package lan.homelab.pxe.claim;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.slot.Slots;

/**
 * Makes claims and releases them. A claim is the label {@code pxe.homelab.lan/claimed-by} on the
 * slot, written with a resourceVersion-checked update of the slot: the API server refuses it (409)
 * when anybody changed the slot since it was read, so two claimers can never both win one slot.
 * Only the leader claims, one claim at a time; claims it made but does not yet see in its cache are
 * remembered for a while, so a stale cache cannot hand one slot out twice or give one machine two
 * slots.
 */
public class SlotClaimer {
  private static final Duration PENDING_TTL = Duration.ofSeconds(30);
  private static final int MAX_ATTEMPTS = 3;

  private final KubernetesClient client;
  private final String namespace;
  private final ClaimRules rules;
  private final Clock clock;
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  private record Pending(String install, Instant at) {}

  public SlotClaimer(KubernetesClient client, String namespace, ClaimRules rules, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.rules = rules;
    this.clock = clock;
  }

  /** What the queue gives {@code me} right now; a Take is already written when this returns. */
  public synchronized ClaimDecision claim(
      NodeInstall me,
      Supplier<java.util.Collection<ProvisioningSlot>> slots,
      Supplier<java.util.Collection<NodeInstall>> installs,
      java.util.function.Predicate<ProvisioningSlot> valid) {
    Map<String, ProvisioningSlot> fresh = new HashMap<>();
    java.util.Set<String> gone = new java.util.HashSet<>();
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Map<String, ProvisioningSlot> view = new LinkedHashMap<>();
      slots.get().forEach(s -> view.put(s.getMetadata().getName(), s));
      view.putAll(fresh);
      view.keySet().removeAll(gone);
      forgetSettled(view.values());
      ClaimDecision decision =
          rules.decide(me, view.values(), installs.get(), pendingView(), valid);
      if (decision instanceof ClaimDecision.Adopt adopt) {
        // The cache may still show a claim this machine gave back: adopt only what the API
        // server shows.
        ProvisioningSlot now = read(adopt.slot());
        if (now != null
            && Slots.claimedBy(now).filter(me.getMetadata().getName()::equals).isPresent()) {
          return decision;
        }
        pending.remove(adopt.slot());
        remember(adopt.slot(), now, fresh, gone);
        continue;
      }
      if (!(decision instanceof ClaimDecision.Take take)) {
        return decision;
      }
      if (writeLabel(view.get(take.slot()), me.getMetadata().getName())) {
        pending.put(take.slot(), new Pending(me.getMetadata().getName(), clock.instant()));
        return decision;
      }
      // The slot changed since it was read (a status write, another claimer): read it again.
      remember(take.slot(), read(take.slot()), fresh, gone);
    }
    return new ClaimDecision.Retry("the queue changed during the claim");
  }

  private ProvisioningSlot read(String slot) {
    return client.resources(ProvisioningSlot.class).inNamespace(namespace).withName(slot).get();
  }

  private static void remember(
      String name,
      ProvisioningSlot now,
      Map<String, ProvisioningSlot> fresh,
      java.util.Set<String> gone) {
    if (now == null) {
      gone.add(name);
    } else {
      fresh.put(name, now);
    }
  }

  /**
   * Gives the slot up: removes the claim if {@code install} holds it and, when {@code keep}, keeps
   * the slot for that machine with the {@code reserved-for} label.
   *
   * @return whether this call removed the claim (false: the slot is gone or held by someone else)
   */
  public synchronized boolean release(String slotName, String install, boolean keep) {
    pending.remove(slotName);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS * 3; attempt++) {
      ProvisioningSlot slot =
          client.resources(ProvisioningSlot.class).inNamespace(namespace).withName(slotName).get();
      if (slot == null || !install.equals(Slots.claimedBy(slot).orElse(null))) {
        return false;
      }
      Map<String, String> labels = new HashMap<>(slot.getMetadata().getLabels());
      labels.remove(ApiConstants.LABEL_CLAIMED_BY);
      if (keep) {
        labels.put(ApiConstants.LABEL_RESERVED_FOR, install);
      }
      slot.getMetadata().setLabels(labels);
      try {
        client.resources(ProvisioningSlot.class).inNamespace(namespace).resource(slot).update();
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("could not release slot " + slotName + ": it keeps changing");
  }

  /**
   * Gives up every slot {@code install} holds: {@code held} (its spec.slot, may be null), kept for
   * the machine when {@code keepHeld}, and every other slot whose claim label names it (a claim
   * whose spec.slot write never happened: it gave up, or the operator stopped in between), freed.
   * The labelled slots are listed from the API server, not from a cache that may lag.
   */
  public void releaseAll(String install, String held, boolean keepHeld) {
    java.util.Set<String> labelled = new java.util.TreeSet<>();
    client
        .resources(ProvisioningSlot.class)
        .inNamespace(namespace)
        .withLabel(ApiConstants.LABEL_CLAIMED_BY, install)
        .list()
        .getItems()
        .forEach(s -> labelled.add(s.getMetadata().getName()));
    if (held != null) {
      release(held, install, keepHeld);
      labelled.remove(held);
    }
    labelled.forEach(slot -> release(slot, install, false));
  }

  /** Writes the claim label, but only onto the version of the slot that was read (409 else). */
  private boolean writeLabel(ProvisioningSlot slot, String install) {
    Map<String, String> labels =
        new HashMap<>(Objects.requireNonNullElse(slot.getMetadata().getLabels(), Map.of()));
    labels.put(ApiConstants.LABEL_CLAIMED_BY, install);
    labels.remove(ApiConstants.LABEL_RESERVED_FOR);
    ProvisioningSlot update = new ProvisioningSlot();
    update.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder(slot.getMetadata())
            .withLabels(labels)
            .build());
    update.setSpec(slot.getSpec());
    try {
      client.resources(ProvisioningSlot.class).inNamespace(namespace).resource(update).update();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  private Map<String, String> pendingView() {
    Map<String, String> view = new HashMap<>();
    pending.forEach((slot, p) -> view.put(slot, p.install()));
    return view;
  }

  /** Drops pending claims the cache now shows, and those old enough to be settled either way. */
  private void forgetSettled(java.util.Collection<ProvisioningSlot> seen) {
    Map<String, ProvisioningSlot> byName = new HashMap<>();
    seen.forEach(s -> byName.put(s.getMetadata().getName(), s));
    Instant expiry = clock.instant().minus(PENDING_TTL);
    for (Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      ProvisioningSlot slot = byName.get(entry.getKey());
      boolean visible =
          slot != null
              && Slots.claimedBy(slot).filter(entry.getValue().install()::equals).isPresent();
      if (visible || slot == null || entry.getValue().at().isBefore(expiry)) {
        it.remove();
      }
    }
  }
}
