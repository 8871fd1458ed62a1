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

  private record InstallRec(String name, String slot, NodeInstallPhase phase, long rv) {
    NodeInstall object() {
      NodeInstall ni = new NodeInstall();
      ni.getMetadata().setName(name);
      ni.getMetadata().setResourceVersion(Long.toString(rv));
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

  /** The API server: conflict rules and an ordered event log the informers follow. */
  private static final class Store {
    long rv;
    final Map<String, SlotRec> slots = new LinkedHashMap<>();
    final Map<String, InstallRec> installs = new LinkedHashMap<>();
    final List<Object> log = new ArrayList<>();
    int writes;

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
      installs.put(name, logged(new InstallRec(name, null, null, ++rv)));
      return true;
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
      installs.put(name, logged(new InstallRec(name, slot, now.phase(), ++rv)));
      return true;
    }

    /** A status merge patch: no version check; written only when it changes something. */
    void patchPhase(String name, NodeInstallPhase phase, boolean always) {
      InstallRec now = installs.get(name);
      if (now != null && (always || now.phase() != phase)) {
        installs.put(name, logged(new InstallRec(name, now.slot(), phase, ++rv)));
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
                  cache.installs.get(r.install),
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
        case DONE -> {}
      }
      return true;
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
          store.patchPhase(name, store.installs.get(name).phase(), true);
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
      if (store.installs.size() != DISTINCT_MACS) {
        return where + store.installs.size() + " NodeInstalls for " + DISTINCT_MACS + " MACs";
      }
      return "";
    }
  }
}
