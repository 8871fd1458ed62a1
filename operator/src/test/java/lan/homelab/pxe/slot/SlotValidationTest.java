package lan.homelab.pxe.slot;

import static lan.homelab.pxe.Fixtures.slot;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.Test;

class SlotValidationTest {
  private final OperatorSettings settings = OperatorSettings.defaults();

  private List<String> problems(ProvisioningSlot slot, ProvisioningSlot... others) {
    var all = new java.util.ArrayList<>(List.of(others));
    all.add(slot);
    return SlotValidation.problems(slot, all, settings);
  }

  private static ProvisioningSlot created(ProvisioningSlot slot, String at) {
    slot.getMetadata().setCreationTimestamp(at);
    return slot;
  }

  @Test
  void shouldAcceptTheSeedSlots() {
    assertThat(problems(slot("peach-beach", "10.11.0.2", "peach-beach"))).isEmpty();
    assertThat(problems(slot("s4", "10.11.0.4", null))).isEmpty();
  }

  @Test
  void shouldRefuseAnAddressOutsideTheClusterNetwork() {
    assertThat(problems(slot("s", "192.168.1.5", null)))
        .singleElement()
        .asString()
        .contains("10.11.0.0/22");
  }

  @Test
  void shouldRefuseTheGatewayTheServerAndTheBroadcastAddresses() {
    assertThat(problems(slot("s", "10.11.0.1", null))).anyMatch(p -> p.contains("gateway"));
    assertThat(problems(slot("s", "10.11.0.1", null))).anyMatch(p -> p.contains("server"));
    assertThat(problems(slot("s", "10.11.3.255", null))).anyMatch(p -> p.contains("not a host"));
  }

  @Test
  void shouldRefuseAnAddressInsideTheDiscoveryPool() {
    assertThat(problems(slot("s", "10.11.3.210", null)))
        .anyMatch(p -> p.contains("discovery pool"));
  }

  @Test
  void shouldRefuseAnInvalidHostname() {
    assertThat(problems(slot("s", "10.11.0.9", "Peach_Beach")))
        .anyMatch(p -> p.contains("RFC 1123"));
    assertThat(problems(slot("s", "10.11.0.9", "1234"))).anyMatch(p -> p.contains("all digits"));
  }

  @Test
  void shouldMakeTheNewerOfTwoSlotsWithOneAddressOrHostnameInvalid() {
    var older = created(slot("a", "10.11.0.2", "peach-beach"), "2026-01-01T00:00:00Z");
    var newerSameAddress = created(slot("b", "10.11.0.2", "other"), "2026-01-02T00:00:00Z");
    var newerSameName = created(slot("c", "10.11.0.7", "peach-beach"), "2026-01-02T00:00:00Z");

    assertThat(problems(older, newerSameAddress, newerSameName)).isEmpty();
    assertThat(problems(newerSameAddress, older)).anyMatch(p -> p.contains("also slot a"));
    assertThat(problems(newerSameName, older)).anyMatch(p -> p.contains("hostname peach-beach"));
  }

  @Test
  void shouldDeriveAStableHostnameFromTheAddress() {
    assertThat(Slots.hostname(slot("s", "10.11.0.4", null))).isEqualTo("node-10-11-0-4");
  }
}
