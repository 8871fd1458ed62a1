package lan.homelab.pxe.claim;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.Ipv4Network;
import lan.homelab.pxe.slot.Slots;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlotClaimerTest {
  private final MockApi api = new MockApi(NS);

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void shouldNotAdoptAClaimItsCacheStillShowsAfterTheClaimWasGivenBack() {
    // A machine claimed peach-beach, lost the race for spec.slot and gave the slot back; the
    // informer has not delivered the release yet, so its cache still shows the old label.
    ProvisioningSlot live =
        Fixtures.create(api.client(), Fixtures.slot("peach-beach", "10.11.0.2", "peach-beach"));
    ProvisioningSlot stale = api.client().getKubernetesSerialization().clone(live);
    stale.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0a"));
    NodeInstall me = new NodeInstall();
    me.getMetadata().setName("52-54-00-00-00-0a");
    me.getMetadata().setNamespace(NS);
    me.setSpec(new NodeInstallSpec());
    me.getSpec().setMac("52:54:00:00:00:0a");
    SlotClaimer claimer =
        new SlotClaimer(
            api.client(),
            NS,
            new ClaimRules(Ipv4Network.parse("10.11.0.0/22"), 0),
            Clock.systemUTC());

    ClaimDecision decision = claimer.claim(me, () -> List.of(stale), () -> List.of(me), s -> true);

    assertThat(decision).isInstanceOf(ClaimDecision.Take.class);
    ProvisioningSlot after = Fixtures.slot(api.client(), "peach-beach");
    assertThat(Slots.claimedBy(after)).contains("52-54-00-00-00-0a");
  }
}
