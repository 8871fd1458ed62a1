package lan.homelab.pxe.claim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec;
import lan.homelab.pxe.config.Ipv4Network;
import org.junit.jupiter.api.Test;

/**
 * The claim protocol of {@link SlotClaimer} and {@code NodeInstallReconciler} (read cache, {@link
 * ClaimRules#decide}, an adopted claim checked against the store, the claim label written with a
 * resourceVersion check, a fresh read and retry on conflict, spec.slot written with a
 * resourceVersion check, the label given back when that second step loses) holds under randomized
 * interleavings of the reconciles of a leader (many at once, one claim at a time, with its pending
 * claims and informer caches that lag the store by a random number of events) against an in-memory
 * store with the API server's conflict rules: a create fails when the name exists, an update with a
 * stale resourceVersion fails, every write bumps the resourceVersion. After each trial (200
 * discoveries of distinct and repeated MACs against 50 slots) and a final leader left alone to
 * settle, exactly 50 machines hold a slot, no slot is held twice, no machine holds two, and the
 * rest wait.
 *
 * <p>Leaders take turns: now and then the leader stops dead between two steps and a new one starts
 * with freshly listed caches and no pending claims. Two leaders may also act at once (a lease
 * handover where the old leader has not noticed yet): leader A loses the spec.slot write and
 * decides to give the slot back, leader B adopts A's label and records spec.slot, then A removes
 * the label. The reconciler then clears spec.slot of an install whose claim vanished before it
 * booted (the model's machines never boot) and it queues again; failing it instead, as the
 * reconciler once did, breaks the invariants, which the checker finds.
 *
 * <p>Where the model simplifies: one step is one API call or one cache read + decision; pending
 * claims never expire (a cache here lags by events, never by 30 s); slot and install informers lag
 * independently but deliver events in order; every slot is valid, unpaused, kept for nobody and has
 * an explicit order; a discovery is a create plus a status write (as {@code
 * InstallReports.discovered}); status writes are merge patches without a resourceVersion check that
 * bump the resourceVersion (the slot reconciler's status writes are modelled as such bumps); the
 * deny-list, approval mode, the install limit, timeouts and the steps after the claim are left out.
 * Any reconcile may start at any time (a superset of the events that trigger one). A claimer that
 * stops either finishes its in-flight steps or abandons them (a crash between any two steps).
 *
 * <p>People delete installs now and then (at most {@value #DELETIONS} a trial; half of them hit an
 * install in the window between its claim label and its spec.slot write): the leader's cleanup
 * gives back spec.slot and every slot the API server shows labelled for the install, then the
 * install is gone (a MAC discovered again later is created anew). A claim in flight on another
 * leader, or one abandoned between its label and spec.slot, can still leave a label naming an
 * install that no longer exists; each leader's stale-claim check ({@code StaleClaims}: a label
 * whose install its cache does not show, confirmed absent by a read of the store, cleared by a
 * resourceVersion-checked write) removes it. The model gives that check no grace at all, so the
 * store read alone must keep it away from fresh claims: the checker fails a trial in which it
 * clears the label of an install that existed when it read the store.
 *
 * <p>{@code -Dpxe.trials=N} and {@code -Dpxe.seed=S} repeat or reproduce a run; a failing trial's
 * seed is in the assertion message.
 */
class ClaimInterleavingTest {
  private static final int SLOTS = 50;
  private static final int DISCOVERIES = 200;
  private static final int DISTINCT_MACS = 150;
  private static final int MAX_ATTEMPTS = 3; // SlotClaimer.MAX_ATTEMPTS
  private static final boolean TRACE = Boolean.getBoolean("pxe.trace");
  private static final boolean OVERLAP = Boolean.getBoolean("pxe.overlap");
  private static final ClaimRules RULES = new ClaimRules(Ipv4Network.parse("10.11.0.0/22"), 0);
  private static final int DELETIONS = 10;

  /** The model's grace: none; the store read alone must keep the check away from fresh claims. */
  private static final int GRACE_CHECKS = 1;

  @Test
  void shouldMakeExactlyFiftyClaimsUnderEveryInterleavingOfTwoHundredDiscoveries() {
    assertEveryTrialHolds(1000, OVERLAP);
  }

  @Test
  void shouldMakeExactlyFiftyClaimsWhenTwoLeadersActAtOnce() {
    assertEveryTrialHolds(300, true);
  }

  /** Runs seeded trials ({@code -Dpxe.trials} and {@code -Dpxe.seed} override) in parallel. */
  private void assertEveryTrialHolds(int defaultTrials, boolean overlap) {
    int trials = Integer.getInteger("pxe.trials", defaultTrials);
    long base = Long.getLong("pxe.seed", new Random().nextLong());
    String failures =
        java.util.stream.LongStream.range(base, base + trials)
            .parallel()
            .mapToObj(
                seed -> {
                  Trial trial = new Trial(seed);
                  trial.overlap = overlap;
                  return trial.run();
                })
            .filter(v -> !v.isEmpty())
            .sorted()
            .collect(java.util.stream.Collectors.joining("\n"));
    assertThat(failures)
        .as("%d trials from seed %d; reproduce one with -Dpxe.seed=S -Dpxe.trials=1", trials, base)
        .isEmpty();
  }

  @Test
  void
      shouldFindTheLostSlotWhenDeletingAnInstallReleasesOnlyItsSpecSlotAndNothingClearsStaleLabels() {
    // The checker is not vacuous: without the cleanup of every labelled slot and the stale-claim
    // check, a label left by an abandoned claim of a deleted install keeps its slot for good.
    String found = "";
    for (long seed = 1; seed <= 300 && found.isEmpty(); seed++) {
      Trial trial = new Trial(seed);
      trial.overlap = true;
      trial.cleanupReleasesHeldSlotOnly = true;
      trial.staleClaimCheck = false;
      found = trial.run();
    }
    assertThat(found).contains("without a claim");
  }

  @Test
  void shouldFindAClearedLiveClaimWhenTheStaleClaimCheckTrustsItsCache() {
    // The store read is what keeps the check away from fresh claims: a check that believes its
    // lagging cache clears the label of an install that exists.
    String found = "";
    for (long seed = 1; seed <= 300 && found.isEmpty(); seed++) {
      Trial trial = new Trial(seed);
      trial.overlap = true;
      trial.staleClaimCheckTrustsCache = true;
      found = trial.run();
    }
    assertThat(found).contains("cleared the live claim");
  }

  @Test
  void shouldDetectTheLostClaimWhenAVanishedClaimFailsTheInstallInsteadOfQueueingItAgain() {
    // The checker is not vacuous: the two-leader race (see the class comment) is found when the
    // reconciler fails such an install.
    String found = "";
    for (long seed = 1; seed <= 200 && found.isEmpty(); seed++) {
      Trial trial = new Trial(seed);
      trial.overlap = true;
      trial.failVanishedClaims = true;
      found = trial.run();
    }
    assertThat(found).contains("label disagrees");
  }

  /** An object version in the store; immutable, so caches share it. */
  private record SlotRec(String name, int order, String claimedBy, long rv) {
    ProvisioningSlot object() {
      ProvisioningSlot slot = new ProvisioningSlot();
      slot.getMetadata().setName(name);
      slot.getMetadata().setResourceVersion(Long.toString(rv));
      if (claimedBy != null) {
        slot.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, claimedBy));
      }
      ProvisioningSlotSpec spec = new ProvisioningSlotSpec();
      spec.setAddress("10.11.0." + (order + 10));
      spec.setOrder(order);
      slot.setSpec(spec);
      return slot;
    }
  }

  private record InstallRec(
      String name, String slot, NodeInstallPhase phase, long rv, boolean deleting) {
    NodeInstall object() {
      NodeInstall ni = new NodeInstall();
      ni.getMetadata().setName(name);
      ni.getMetadata().setResourceVersion(Long.toString(rv));
      if (deleting) {
        ni.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
      }
      NodeInstallSpec spec = new NodeInstallSpec();
      spec.setMac(name.replace('-', ':'));
      spec.setSlot(slot);
      ni.setSpec(spec);
      NodeInstallStatus status = new NodeInstallStatus();
      status.setPhase(phase);
      ni.setStatus(status);
      return ni;
    }
  }

  /** An install removed from the store (the informers' delete event). */
  private record Gone(String name) {}

  /** The API server: conflict rules and an ordered event log the informers follow. */
  private static final class Store {
    long rv;
    final Map<String, SlotRec> slots = new LinkedHashMap<>();
    final Map<String, InstallRec> installs = new LinkedHashMap<>();
    final Map<String, Long> createdAt = new HashMap<>();
    final Set<String> removed = new HashSet<>();
    final List<Object> log = new ArrayList<>();
    int writes;
    String violation = "";

    final List<String> trace = new ArrayList<>();

    private <T> T logged(T rec) {
      log.add(rec);
      if (TRACE) {
        trace.add(rec.toString());
      }
      writes++;
      return rec;
    }

    void createSlot(String name, int order) {
      slots.put(name, logged(new SlotRec(name, order, null, ++rv)));
    }

    boolean createInstall(String name) {
      if (installs.containsKey(name)) {
        return false;
      }
      installs.put(name, logged(new InstallRec(name, null, null, ++rv, false)));
      createdAt.put(name, rv);
      return true;
    }

    /** A person deletes the install: marked for deletion until the cleanup is done. */
    void requestDelete(String name) {
      InstallRec now = installs.get(name);
      installs.put(name, logged(new InstallRec(name, now.slot(), now.phase(), ++rv, true)));
    }

    /** The cleanup is done (the finalizer removed): the install is gone. */
    void remove(String name) {
      installs.remove(name);
      createdAt.remove(name);
      removed.add(name);
      logged(new Gone(name));
      ++rv;
    }

    /** A list of the slots labelled for {@code install}, as the API server answers it. */
    List<String> labelledFor(String install) {
      return slots.values().stream()
          .filter(s -> install.equals(s.claimedBy()))
          .map(SlotRec::name)
          .toList();
    }

    /** A resourceVersion-checked update of the claim label; false on 409. */
    boolean updateLabel(String name, long expectedRv, String claimedBy, boolean checkVersion) {
      SlotRec now = slots.get(name);
      if (now == null || (checkVersion && now.rv() != expectedRv)) {
        return false;
      }
      slots.put(name, logged(new SlotRec(name, now.order(), claimedBy, ++rv)));
      return true;
    }

    void slotStatusWrite(String name) {
      SlotRec now = slots.get(name);
      slots.put(name, logged(new SlotRec(name, now.order(), now.claimedBy(), ++rv)));
    }

    /** A resourceVersion-checked update of spec.slot; false on 409. */
    boolean updateSpecSlot(String name, long expectedRv, String slot) {
      InstallRec now = installs.get(name);
      if (now == null || now.rv() != expectedRv) {
        return false;
      }
      installs.put(name, logged(new InstallRec(name, slot, now.phase(), ++rv, now.deleting())));
      return true;
    }

    /** A status merge patch: no version check; written only when it changes something. */
    void patchPhase(String name, NodeInstallPhase phase, boolean always) {
      InstallRec now = installs.get(name);
      if (now != null && (always || now.phase() != phase)) {
        installs.put(name, logged(new InstallRec(name, now.slot(), phase, ++rv, now.deleting())));
      }
    }
  }

  /** An informer pair (slots, installs) following the store's log, each at its own position. */
  private static final class Cache {
    final Store store;
    int slotPos;
    int installPos;
    final Map<String, SlotRec> slotRecs = new LinkedHashMap<>();
    final Map<String, ProvisioningSlot> slots = new LinkedHashMap<>();
    final Map<String, InstallRec> installRecs = new LinkedHashMap<>();
    final List<String> installNames = new ArrayList<>();
    final Map<String, NodeInstall> installs = new LinkedHashMap<>();

    Cache(Store store) {
      this.store = store;
    }

    void advanceSlots(int events) {
      for (int i = 0; i < events && slotPos < store.log.size(); slotPos++) {
        if (store.log.get(slotPos) instanceof SlotRec s) {
          slotRecs.put(s.name(), s);
          slots.put(s.name(), s.object());
          i++;
        }
      }
    }

    void advanceInstalls(int events) {
      for (int i = 0; i < events && installPos < store.log.size(); installPos++) {
        if (store.log.get(installPos) instanceof InstallRec r) {
          if (installRecs.put(r.name(), r) == null) {
            installNames.add(r.name());
          }
          installs.put(r.name(), r.object());
          i++;
        } else if (store.log.get(installPos) instanceof Gone g) {
          installRecs.remove(g.name());
          installNames.remove(g.name());
          installs.remove(g.name());
          i++;
        }
      }
    }

    void catchUp() {
      advanceSlots(Integer.MAX_VALUE);
      advanceInstalls(Integer.MAX_VALUE);
    }
  }

  private enum Stage {
    START,
    CLEAR_SLOT,
    DECIDE,
    ADOPT_READ,
    WRITE_LABEL,
    FRESH_READ,
    RECORD_SLOT,
    RECORD_CONFLICT_READ,
    RELEASE_READ,
    RELEASE_WRITE,
    STATUS_INSTALLING,
    STATUS_WAITING,
    STATUS_FAILED,
    CLEANUP_LIST,
    CLEANUP_RELEASE,
    CLEANUP_REMOVE,
    DONE
  }

  /** One reconcile of one NodeInstall on one claimer, one API call per step. */
  private static final class Reconcile {
    final String install;
    Stage stage = Stage.START;
    InstallRec seen;
    int attempt;
    final Map<String, SlotRec> fresh = new HashMap<>();
    final Set<String> gone = new HashSet<>();
    SlotRec target;
    String slot;
    SlotRec releaseRead;
    int releaseAttempts;
    final List<String> toRelease = new ArrayList<>();

    Reconcile(String install) {
      this.install = install;
    }
  }

  /** One operator replica acting as leader: its caches, pending claims and running reconciles. */
  private final class Claimer {
    final Cache cache;
    final Map<String, String> pending = new LinkedHashMap<>(); // slot -> install
    final Map<String, Reconcile> running = new LinkedHashMap<>();
    Reconcile lockHolder;
    final Trial trial;

    /** A leader starts once its informers listed everything (JOSDK waits for their sync). */
    Claimer(Trial trial) {
      this.trial = trial;
      this.cache = new Cache(trial.store);
      cache.catchUp();
    }

    boolean locked(Reconcile r) {
      if (lockHolder == null) {
        lockHolder = r;
      }
      return lockHolder == r;
    }

    void unlock(Reconcile r) {
      if (lockHolder == r) {
        lockHolder = null;
      }
    }

    /** Runs one step of {@code r}; false when it could not (waits for the claim lock). */
    boolean step(Reconcile r) {
      Store store = trial.store;
      if (TRACE) {
        store.trace.add(
            "  claimer "
                + System.identityHashCode(this) % 1000
                + " "
                + r.install
                + " "
                + r.stage
                + " slot="
                + r.slot
                + " target="
                + (r.target == null ? null : r.target.name())
                + " pending="
                + pending);
      }
      switch (r.stage) {
        case START -> {
          r.seen = cache.installRecs.get(r.install);
          if (r.seen == null) {
            r.stage = Stage.DONE;
          } else if (r.seen.deleting()) {
            r.stage = Stage.CLEANUP_LIST; // JOSDK calls cleanup instead of reconcile
          } else if (r.seen.slot() != null) {
            // heldSlot: the cached label, else a live read, must name this install.
            SlotRec cached = cache.slotRecs.get(r.seen.slot());
            SlotRec live = store.slots.get(r.seen.slot());
            boolean held =
                (cached != null && r.install.equals(cached.claimedBy()))
                    || (live != null && r.install.equals(live.claimedBy()));
            // followInstall: a held slot makes a new or waiting machine Installing.
            // A claim that vanished before the machine booted: spec.slot is cleared, it queues.
            r.stage =
                r.seen.phase() == NodeInstallPhase.Failed
                    ? Stage.DONE
                    : held
                        ? Stage.STATUS_INSTALLING
                        : trial.failVanishedClaims ? Stage.STATUS_FAILED : Stage.CLEAR_SLOT;
          } else {
            r.stage = Stage.DECIDE;
          }
        }
        case DECIDE -> {
          if (!locked(r)) {
            return false;
          }
          Map<String, SlotRec> view = new LinkedHashMap<>(cache.slotRecs);
          view.putAll(r.fresh);
          view.keySet().removeAll(r.gone);
          pending
              .entrySet()
              .removeIf(
                  e ->
                      !view.containsKey(e.getKey())
                          || e.getValue().equals(view.get(e.getKey()).claimedBy()));
          List<ProvisioningSlot> slots = new ArrayList<>(view.size());
          view.forEach(
              (name, rec) ->
                  slots.add(r.fresh.containsKey(name) ? rec.object() : cache.slots.get(name)));
          ClaimDecision decision =
              RULES.decide(
                  // the install as cached, or as this reconcile got it if it was deleted since
                  cache.installs.getOrDefault(r.install, r.seen.object()),
                  slots,
                  cache.installs.values(),
                  pending,
                  s -> true);
          if (decision instanceof ClaimDecision.Take take) {
            r.target = view.get(take.slot());
            r.stage = Stage.WRITE_LABEL;
          } else if (decision instanceof ClaimDecision.Adopt adopt) {
            r.target = view.get(adopt.slot());
            r.stage = Stage.ADOPT_READ;
          } else {
            unlock(r);
            if (decision instanceof ClaimDecision.Wait) {
              r.stage = Stage.STATUS_WAITING;
            } else {
              r.stage = Stage.DONE; // Retry: rescheduled, a new reconcile will come
            }
          }
        }
        case ADOPT_READ -> {
          SlotRec now = store.slots.get(r.target.name());
          if (now != null && r.install.equals(now.claimedBy())) {
            unlock(r);
            r.slot = now.name();
            r.stage = Stage.RECORD_SLOT;
          } else {
            pending.remove(r.target.name());
            r.stage = Stage.FRESH_READ; // the same read: remembered, then decided again
          }
        }
        case WRITE_LABEL -> {
          if (store.updateLabel(r.target.name(), r.target.rv(), r.install, true)) {
            pending.put(r.target.name(), r.install);
            unlock(r);
            r.slot = r.target.name();
            r.stage = Stage.RECORD_SLOT;
          } else {
            r.stage = Stage.FRESH_READ;
          }
        }
        case FRESH_READ -> {
          SlotRec now = store.slots.get(r.target.name());
          if (now == null) {
            r.gone.add(r.target.name());
          } else {
            r.fresh.put(now.name(), now);
          }
          r.attempt++;
          if (r.attempt >= MAX_ATTEMPTS) {
            unlock(r);
            r.stage = Stage.DONE; // Retry
          } else {
            r.stage = Stage.DECIDE;
          }
        }
        case RECORD_SLOT -> {
          if (r.slot.equals(r.seen.slot())) {
            r.stage = Stage.STATUS_INSTALLING;
          } else if (store.updateSpecSlot(r.install, r.seen.rv(), r.slot)) {
            r.stage = Stage.STATUS_INSTALLING;
          } else {
            r.stage = Stage.RECORD_CONFLICT_READ;
          }
        }
        case RECORD_CONFLICT_READ -> {
          InstallRec now = store.installs.get(r.install);
          if (now == null || !r.slot.equals(now.slot())) {
            r.stage = Stage.RELEASE_READ;
          } else {
            r.stage = Stage.DONE; // rescheduled
          }
        }
        case RELEASE_READ -> {
          if (!locked(r)) {
            return false;
          }
          pending.remove(r.slot);
          SlotRec now = store.slots.get(r.slot);
          if (now == null || !r.install.equals(now.claimedBy())) {
            unlock(r);
            r.stage = Stage.DONE;
          } else {
            r.releaseRead = now;
            r.stage = Stage.RELEASE_WRITE;
          }
        }
        case RELEASE_WRITE -> {
          if (store.updateLabel(r.slot, r.releaseRead.rv(), null, true)
              || ++r.releaseAttempts >= MAX_ATTEMPTS * 3) {
            unlock(r);
            r.stage = Stage.DONE;
          } else {
            r.stage = Stage.RELEASE_READ;
          }
        }
        case CLEAR_SLOT -> {
          r.stage =
              store.updateSpecSlot(r.install, r.seen.rv(), null)
                  ? Stage.STATUS_WAITING
                  : Stage.DONE; // conflict: reconciled again
        }
        case STATUS_INSTALLING -> {
          store.patchPhase(r.install, NodeInstallPhase.Installing, false);
          r.stage = Stage.DONE;
        }
        case STATUS_WAITING -> {
          store.patchPhase(r.install, NodeInstallPhase.Waiting, false);
          r.stage = Stage.DONE;
        }
        case STATUS_FAILED -> {
          store.patchPhase(r.install, NodeInstallPhase.Failed, false);
          r.stage = Stage.DONE;
        }
        case CLEANUP_LIST -> {
          // SlotClaimer.releaseAll: spec.slot, then what a list of labelled slots shows.
          if (r.seen.slot() != null) {
            r.toRelease.add(r.seen.slot());
          }
          if (!trial.cleanupReleasesHeldSlotOnly) {
            store.labelledFor(r.install).stream()
                .filter(s -> !r.toRelease.contains(s))
                .forEach(r.toRelease::add);
          }
          r.stage = Stage.CLEANUP_RELEASE;
        }
        case CLEANUP_RELEASE -> {
          // One release: a read and a resourceVersion-checked write of the label (a conflict
          // is read and tried again, as SlotClaimer.release does).
          if (r.toRelease.isEmpty()) {
            r.stage = Stage.CLEANUP_REMOVE;
          } else {
            if (!locked(r)) {
              return false;
            }
            String slot = r.toRelease.remove(0);
            pending.remove(slot);
            SlotRec now = store.slots.get(slot);
            if (now != null && r.install.equals(now.claimedBy())) {
              store.updateLabel(slot, now.rv(), null, true);
            }
            unlock(r);
          }
        }
        case CLEANUP_REMOVE -> {
          if (store.installs.containsKey(r.install)) {
            store.remove(r.install);
          }
          r.stage = Stage.DONE;
        }
        case DONE -> {}
      }
      return true;
    }

    /** This leader's stale-claim check: slot -> (holder, checks without the install cached). */
    final Map<String, Map.Entry<String, Integer>> sightings = new HashMap<>();

    /**
     * A check that confirmed its holder absent and clears the label next: slot, holder, rv read.
     */
    String[] clearing;

    /**
     * One step of StaleClaims on a slot of this leader's cache: counts a label whose install the
     * cache does not show; after {@link #GRACE_CHECKS} such checks reads the store and, when the
     * install is absent there too, clears the label in a later step (resourceVersion-checked).
     */
    void staleClaimStep(String slotName) {
      Store store = trial.store;
      if (clearing != null) {
        String[] c = clearing;
        clearing = null;
        SlotRec now = store.slots.get(c[0]);
        // SlotClaimer.release, which waits for a claim in progress (one step here).
        if (now != null && c[1].equals(now.claimedBy()) && lockHolder == null) {
          Long created = store.createdAt.get(c[1]);
          if (created != null && created <= Long.parseLong(c[2]) && store.violation.isEmpty()) {
            store.violation = "the stale-claim check cleared the live claim of " + c[1];
          }
          store.updateLabel(c[0], now.rv(), null, true);
        }
        return;
      }
      SlotRec cached = cache.slotRecs.get(slotName);
      String holder = cached == null ? null : cached.claimedBy();
      if (holder == null || cache.installRecs.containsKey(holder)) {
        sightings.remove(slotName);
        return;
      }
      Map.Entry<String, Integer> seen = sightings.get(slotName);
      int checks = seen != null && seen.getKey().equals(holder) ? seen.getValue() + 1 : 1;
      if (checks < GRACE_CHECKS) {
        sightings.put(slotName, Map.entry(holder, checks));
        return;
      }
      sightings.remove(slotName);
      if (!trial.staleClaimCheckTrustsCache && store.installs.containsKey(holder)) {
        return; // the store read: the cache lagged
      }
      clearing = new String[] {slotName, holder, Long.toString(store.rv)};
    }

    /** Starts a reconcile of a random cached install that has none running here. */
    void startOne(Random random) {
      if (cache.installNames.isEmpty()) {
        return;
      }
      String name = cache.installNames.get(random.nextInt(cache.installNames.size()));
      running.putIfAbsent(name, new Reconcile(name));
    }

    /** Steps a random running reconcile; drops it when done. */
    void stepOne(Random random) {
      if (running.isEmpty()) {
        return;
      }
      List<Reconcile> all = new ArrayList<>(running.values());
      Reconcile r = all.get(random.nextInt(all.size()));
      if (!step(r) && lockHolder != null) {
        step(lockHolder);
      }
      running.values().removeIf(x -> x.stage == Stage.DONE);
    }

    /** Runs one reconcile of every install to its end with a caught-up cache, as a lone leader. */
    void settle(String name) {
      Reconcile r = new Reconcile(name);
      for (int i = 0; i < 100 && r.stage != Stage.DONE; i++) {
        cache.catchUp();
        step(r);
      }
      cache.catchUp();
    }
  }

  /** One run of the scenario from one seed; an empty verdict means every invariant held. */
  private final class Trial {
    final long seed;
    final Random random;
    final Store store = new Store();
    boolean overlap = OVERLAP;

    /** The reconciler's old rule: an install whose claim vanished fails (breaks the invariants). */
    boolean failVanishedClaims;

    /** The old cleanup: only spec.slot is given back, not other slots labelled for the install. */
    boolean cleanupReleasesHeldSlotOnly;

    /** Whether the leaders run the stale-claim check. */
    boolean staleClaimCheck = true;

    /** A stale-claim check that believes its cache instead of reading the store. */
    boolean staleClaimCheckTrustsCache;

    int deletions;

    Trial(long seed) {
      this.seed = seed;
      this.random = new Random(seed);
    }

    String run() {
      List<Integer> slotOrder = new ArrayList<>();
      for (int i = 0; i < SLOTS; i++) {
        slotOrder.add(i);
      }
      java.util.Collections.shuffle(slotOrder, random);
      for (int i = 0; i < SLOTS; i++) {
        store.createSlot("slot-" + i, slotOrder.get(i));
      }
      List<String> discoveries = new ArrayList<>();
      for (int i = 0; i < DISCOVERIES; i++) {
        int mac = i < DISTINCT_MACS ? i : random.nextInt(DISTINCT_MACS);
        discoveries.add(String.format("52-54-00-00-%02x-%02x", mac / 256, mac % 256));
      }
      java.util.Collections.shuffle(discoveries, random);

      List<Claimer> claimers = new ArrayList<>();
      claimers.add(new Claimer(this));
      int replicas = 1;
      List<String> statusPatches = new ArrayList<>();
      int next = 0;
      for (int step = 0; step < 40_000; step++) {
        int dice = random.nextInt(100);
        Claimer c = claimers.get(random.nextInt(claimers.size()));
        if (dice == 0 && random.nextInt(20) == 0) {
          // Leader handover: the old leader stops dead between two steps (or, with
          // -Dpxe.overlap=true, keeps running beside the new one); the new one starts cold.
          if (!overlap) {
            claimers.clear();
          }
          if (claimers.size() < 3) {
            claimers.add(new Claimer(this));
            replicas++;
          }
        } else if (dice < 12 && next < discoveries.size()) {
          String name = discoveries.get(next++);
          if (store.createInstall(name)) {
            statusPatches.add(name);
          }
        } else if (dice < 16 && !statusPatches.isEmpty()) {
          String name = statusPatches.remove(random.nextInt(statusPatches.size()));
          InstallRec discovered = store.installs.get(name);
          if (discovered != null) { // a person may have deleted it already
            store.patchPhase(name, discovered.phase(), true);
          }
        } else if (dice < 19) {
          store.slotStatusWrite("slot-" + random.nextInt(SLOTS));
        } else if (dice < 27) {
          c.cache.advanceSlots(1 + random.nextInt(8));
        } else if (dice < 35) {
          c.cache.advanceInstalls(1 + random.nextInt(8));
        } else if (dice < 55) {
          if (next < discoveries.size()) {
            c.startOne(random);
          }
        } else if (dice < 58) {
          if (staleClaimCheck) {
            c.staleClaimStep("slot-" + random.nextInt(SLOTS));
          }
        } else if (dice == 58) {
          // Half the time a person deletes an install whose claim label is written and whose
          // spec.slot is not yet: the window the cleanup of every labelled slot exists for.
          boolean inTheWindow = random.nextBoolean();
          Set<String> labelled = new HashSet<>();
          store.slots.values().forEach(s -> labelled.add(s.claimedBy()));
          List<String> alive =
              store.installs.values().stream()
                  .filter(ni -> !ni.deleting())
                  .filter(ni -> !inTheWindow || (ni.slot() == null && labelled.contains(ni.name())))
                  .map(InstallRec::name)
                  .toList();
          if (deletions < DELETIONS && !alive.isEmpty()) {
            store.requestDelete(alive.get(random.nextInt(alive.size())));
            deletions++;
          }
        } else {
          c.stepOne(random);
        }
        if (next == discoveries.size()
            && statusPatches.isEmpty()
            && claimers.stream().allMatch(x -> x.running.isEmpty())
            && step > 0) {
          break;
        }
      }
      while (next < discoveries.size()) {
        store.createInstall(discoveries.get(next++));
      }
      // All but the first claimer stop: each finishes or abandons (a crash) its steps.
      for (Claimer c : claimers.subList(1, claimers.size())) {
        boolean finish = random.nextBoolean();
        for (int i = 0; finish && i < 10_000 && !c.running.isEmpty(); i++) {
          c.stepOne(random);
        }
      }
      Claimer leader = claimers.get(0);
      leader.running.clear();
      leader.lockHolder = null;
      int rounds = 0;
      int before;
      do {
        before = store.writes;
        for (String name : new ArrayList<>(store.installs.keySet())) {
          leader.settle(name);
        }
        for (int s = 0; staleClaimCheck && s < SLOTS; s++) {
          for (int check = 0; check <= GRACE_CHECKS; check++) {
            leader.cache.catchUp();
            leader.staleClaimStep("slot-" + s);
          }
        }
      } while (store.writes != before && ++rounds < 20);
      if (store.writes != before) {
        return "seed " + seed + ": did not settle in 20 rounds";
      }
      String verdict = verdict(replicas);
      if (TRACE && !verdict.isEmpty()) {
        store.trace.forEach(System.out::println);
      }
      return verdict;
    }

    String verdict(int replicas) {
      String where = "seed " + seed + " (" + replicas + " leaders in turn): ";
      if (!store.violation.isEmpty()) {
        return where + store.violation;
      }
      Map<String, String> holderOfSlot = new HashMap<>();
      int claimed = 0;
      for (InstallRec ni : store.installs.values()) {
        if (ni.slot() == null) {
          if (ni.phase() != NodeInstallPhase.Waiting) {
            return where + ni.name() + " holds no slot but is " + ni.phase();
          }
          continue;
        }
        claimed++;
        String other = holderOfSlot.put(ni.slot(), ni.name());
        if (other != null) {
          return where + "slot " + ni.slot() + " held by " + other + " and " + ni.name();
        }
        if (!ni.name().equals(store.slots.get(ni.slot()).claimedBy())) {
          return where + ni.name() + " records " + ni.slot() + " but the label disagrees";
        }
        if (ni.phase() != NodeInstallPhase.Installing) {
          return where + ni.name() + " holds " + ni.slot() + " but is " + ni.phase();
        }
      }
      Set<String> labelled = new HashSet<>();
      for (SlotRec s : store.slots.values()) {
        if (s.claimedBy() == null) {
          continue;
        }
        if (!labelled.add(s.claimedBy())) {
          return where + s.claimedBy() + " holds two slots";
        }
        InstallRec holder = store.installs.get(s.claimedBy());
        if (holder == null || !s.name().equals(holder.slot())) {
          return where + "label on " + s.name() + " names " + s.claimedBy() + " without a claim";
        }
      }
      if (claimed != SLOTS) {
        return where + claimed + " claims, expected " + SLOTS;
      }
      long deleted = store.removed.stream().filter(n -> !store.installs.containsKey(n)).count();
      if (store.installs.size() != DISTINCT_MACS - deleted) {
        return where
            + store.installs.size()
            + " NodeInstalls for "
            + DISTINCT_MACS
            + " MACs, "
            + deleted
            + " deleted";
      }
      return "";
    }
  }
}
