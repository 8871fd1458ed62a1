package lan.homelab.pxe.claim;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.TestClock;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.Ipv4Network;
import lan.homelab.pxe.slot.Slots;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StaleClaimsTest {
  private static final String HOLDER = "52-54-00-00-00-0a";

  private final MockApi api = new MockApi(NS);
  private final TestClock clock = new TestClock();
  private final StaleClaims staleClaims =
      new StaleClaims(
          api.client(),
          NS,
          new SlotClaimer(
              api.client(), NS, new ClaimRules(Ipv4Network.parse("10.11.0.0/22"), 0), clock),
          clock);

  @AfterEach
  void stop() {
    api.close();
  }

  private ProvisioningSlot labelled(String holder) {
    ProvisioningSlot slot = Fixtures.slot("peach-beach", "10.11.0.2", "peach-beach");
    slot.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, holder));
    return Fixtures.create(api.client(), slot);
  }

  private void createInstall(String name) {
    NodeInstall ni = new NodeInstall();
    ni.getMetadata().setName(name);
    ni.getMetadata().setNamespace(NS);
    ni.setSpec(new NodeInstallSpec());
    ni.getSpec().setMac(name.replace('-', ':'));
    api.client().resource(ni).create();
  }

  private java.util.Optional<String> holderNow() {
    return Slots.claimedBy(Fixtures.slot(api.client(), "peach-beach"));
  }

  @Test
  void shouldNeverClearTheFreshLabelOfAnInstallThatACacheDoesNotShowYet() {
    // The leader wrote the label while reconciling an install that exists; the slot
    // reconciler's install cache lags and does not show it, for longer than the grace.
    createInstall(HOLDER);
    ProvisioningSlot slot = labelled(HOLDER);

    assertThat(staleClaims.check(slot, false)).isInstanceOf(StaleClaims.Verdict.Suspect.class);
    clock.advance(StaleClaims.GRACE.plusSeconds(1));

    assertThat(staleClaims.check(slot, false)).isInstanceOf(StaleClaims.Verdict.Sound.class);
    assertThat(holderNow()).contains(HOLDER);
  }

  @Test
  void shouldClearALabelNamingNoInstallOnlyAfterTheGracePeriod() {
    ProvisioningSlot slot = labelled(HOLDER);

    assertThat(staleClaims.check(slot, false))
        .isEqualTo(new StaleClaims.Verdict.Suspect(StaleClaims.GRACE));
    clock.advance(StaleClaims.GRACE.minusSeconds(10));
    assertThat(staleClaims.check(slot, false)).isInstanceOf(StaleClaims.Verdict.Suspect.class);
    assertThat(holderNow()).contains(HOLDER);
    clock.advance(Duration.ofSeconds(11));

    assertThat(staleClaims.check(slot, false)).isEqualTo(new StaleClaims.Verdict.Cleared(HOLDER));
    assertThat(holderNow()).isEmpty();
  }

  @Test
  void shouldCountTheGraceAgainWhenTheLabelNamesSomeoneElse() {
    ProvisioningSlot slot = labelled(HOLDER);
    staleClaims.check(slot, false);
    clock.advance(StaleClaims.GRACE.plusSeconds(1));
    ProvisioningSlot relabelled = api.client().getKubernetesSerialization().clone(slot);
    relabelled.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0b"));

    assertThat(staleClaims.check(relabelled, false))
        .isEqualTo(new StaleClaims.Verdict.Suspect(StaleClaims.GRACE));
    assertThat(holderNow()).contains(HOLDER);
  }

  @Test
  void shouldForgetASightingOnceTheCacheShowsTheInstall() {
    ProvisioningSlot slot = labelled(HOLDER);
    staleClaims.check(slot, false);
    clock.advance(StaleClaims.GRACE.plusSeconds(1));
    assertThat(staleClaims.check(slot, true)).isInstanceOf(StaleClaims.Verdict.Sound.class);

    assertThat(staleClaims.check(slot, false))
        .isEqualTo(new StaleClaims.Verdict.Suspect(StaleClaims.GRACE));
    assertThat(holderNow()).contains(HOLDER);
  }

  @Test
  void shouldLeaveTheSlotAloneWhenItsLabelChangedSinceTheCacheShowedIt() {
    ProvisioningSlot seen = labelled(HOLDER);
    staleClaims.check(seen, false);
    createInstall("52-54-00-00-00-0b");
    api.client()
        .resources(ProvisioningSlot.class)
        .inNamespace(NS)
        .withName("peach-beach")
        .edit(
            s -> {
              s.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0b"));
              return s;
            });
    clock.advance(StaleClaims.GRACE.plusSeconds(1));

    assertThat(staleClaims.check(seen, false)).isInstanceOf(StaleClaims.Verdict.Sound.class);
    assertThat(holderNow()).contains("52-54-00-00-00-0b");
  }
}
