package lan.homelab.pxe.claim;

import static lan.homelab.pxe.Fixtures.slot;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.Ipv4Network;
import org.junit.jupiter.api.Test;

class ClaimRulesTest {
  private final ClaimRules rules = new ClaimRules(Ipv4Network.parse("10.11.0.0/22"), 0);

  private static NodeInstall install(String name, String created) {
    NodeInstall ni = new NodeInstall();
    ni.getMetadata().setName(name);
    ni.getMetadata().setCreationTimestamp(created);
    ni.setSpec(new NodeInstallSpec());
    ni.getSpec().setMac(name.replace('-', ':'));
    return ni;
  }

  private static NodeInstall installing(String name, String slot) {
    NodeInstall ni = install(name, "2026-01-01T00:00:00Z");
    ni.getSpec().setSlot(slot);
    ni.setStatus(new NodeInstallStatus());
    ni.getStatus().setPhase(NodeInstallPhase.Installing);
    return ni;
  }

  private static ProvisioningSlot claimed(ProvisioningSlot slot, String by) {
    slot.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, by));
    return slot;
  }

  private ClaimDecision decide(
      NodeInstall me, List<ProvisioningSlot> slots, List<NodeInstall> all) {
    List<NodeInstall> installs = new ArrayList<>(all);
    if (!installs.contains(me)) {
      installs.add(me);
    }
    return rules.decide(me, slots, installs, Map.of(), s -> true);
  }

  @Test
  void shouldTakeTheLowestAddressWhenNoOrderIsSet() {
    var me = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:00Z");
    var slots =
        List.of(
            slot("c", "10.11.0.4", null),
            slot("a", "10.11.0.2", "peach-beach"),
            slot("b", "10.11.0.3", "moo-moo-meadows"));

    assertThat(decide(me, slots, List.of())).isEqualTo(new ClaimDecision.Take("a"));
  }

  @Test
  void shouldFollowAnExplicitOrderBeforeTheAddress() {
    var me = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:00Z");
    var late = slot("late", "10.11.0.9", null);
    late.getSpec().setOrder(1);
    var slots = List.of(slot("a", "10.11.0.2", null), late);

    assertThat(decide(me, slots, List.of())).isEqualTo(new ClaimDecision.Take("late"));
  }

  @Test
  void shouldSkipHeldPausedInvalidAndForeignReservedSlots() {
    var me = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:00Z");
    var held = claimed(slot("held", "10.11.0.2", null), "bb-bb-bb-bb-bb-bb");
    var paused = slot("paused", "10.11.0.3", null);
    paused.getSpec().setPaused(true);
    var invalid = slot("invalid", "10.11.0.4", null);
    var foreign = slot("foreign", "10.11.0.5", null);
    foreign.getSpec().setMac("cc:cc:cc:cc:cc:cc");
    var free = slot("free", "10.11.0.6", null);

    var decision =
        rules.decide(
            me,
            List.of(held, paused, invalid, foreign, free),
            List.of(me),
            Map.of(),
            s -> s != invalid);

    assertThat(decision).isEqualTo(new ClaimDecision.Take("free"));
  }

  @Test
  void shouldPreferTheSlotKeptForItsOwnMac() {
    var me = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:00Z");
    var kept = slot("kept", "10.11.0.6", null);
    kept.getMetadata().setLabels(Map.of(ApiConstants.LABEL_RESERVED_FOR, "aa-aa-aa-aa-aa-01"));

    assertThat(decide(me, List.of(slot("a", "10.11.0.2", null), kept), List.of()))
        .isEqualTo(new ClaimDecision.Take("kept"));
  }

  @Test
  void shouldAdoptASlotItAlreadyHoldsInsteadOfTakingASecond() {
    var me = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:00Z");
    var mine = claimed(slot("mine", "10.11.0.5", null), "aa-aa-aa-aa-aa-01");

    assertThat(decide(me, List.of(slot("a", "10.11.0.2", null), mine), List.of()))
        .isEqualTo(new ClaimDecision.Adopt("mine"));
  }

  @Test
  void shouldTreatAPendingClaimAsHeldBeforeTheCacheShowsIt() {
    var me = install("aa-aa-aa-aa-aa-02", "2026-01-01T00:00:01Z");
    var slots = List.of(slot("a", "10.11.0.2", null), slot("b", "10.11.0.3", null));

    var decision =
        rules.decide(me, slots, List.of(me), Map.of("a", "aa-aa-aa-aa-aa-01"), s -> true);

    assertThat(decision).isEqualTo(new ClaimDecision.Take("b"));
  }

  @Test
  void shouldGiveTwoMachinesThatArriveTogetherSlotsInArrivalOrder() {
    var first = install("aa-aa-aa-aa-aa-09", "2026-01-01T00:00:00Z");
    var second = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:01Z");
    var slots = List.of(slot("a", "10.11.0.2", null), slot("b", "10.11.0.3", null));

    assertThat(decide(second, slots, List.of(first, second)))
        .isEqualTo(new ClaimDecision.Take("b"));
    assertThat(decide(first, slots, List.of(first, second))).isEqualTo(new ClaimDecision.Take("a"));
  }

  @Test
  void shouldWaitWhenEarlierMachinesWaitForTheOnlyFreeSlots() {
    var first = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:00Z");
    var second = install("aa-aa-aa-aa-aa-02", "2026-01-01T00:00:01Z");

    var decision = decide(second, List.of(slot("a", "10.11.0.2", null)), List.of(first, second));

    assertThat(decision).isInstanceOf(ClaimDecision.Wait.class);
  }

  @Test
  void shouldWaitWhenNoSlotIsFree() {
    var me = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:00Z");
    var decision =
        decide(me, List.of(claimed(slot("a", "10.11.0.2", null), "bb-bb-bb-bb-bb-bb")), List.of());

    assertThat(decision).isEqualTo(new ClaimDecision.Wait("no free slot in the queue"));
  }

  @Test
  void shouldWaitWhenTheLimitOfInstallsAtOnceIsReached() {
    var limited = new ClaimRules(Ipv4Network.parse("10.11.0.0/22"), 1);
    var busy = installing("bb-bb-bb-bb-bb-bb", "a");
    var me = install("aa-aa-aa-aa-aa-01", "2026-01-01T00:00:00Z");
    var slots =
        List.of(
            claimed(slot("a", "10.11.0.2", null), "bb-bb-bb-bb-bb-bb"),
            slot("b", "10.11.0.3", null));

    var decision = limited.decide(me, slots, List.of(busy, me), Map.of(), s -> true);

    assertThat(decision).isInstanceOf(ClaimDecision.Wait.class);
    assertThat(((ClaimDecision.Wait) decision).reason()).contains("limit of 1");
  }
}
