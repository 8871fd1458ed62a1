package lan.homelab.pxe.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import lan.homelab.pxe.Golden;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import org.junit.jupiter.api.Test;

class DnsmasqHostsRendererTest {
  private static final List<DnsmasqHostEntry> ENTRIES =
      List.of(
          DnsmasqHostEntry.reservation(
              Mac.parse("52:54:00:00:00:0b"), Ipv4.parse("10.11.0.3"), "moo-moo-meadows"),
          DnsmasqHostEntry.ignored(Mac.parse("52:54:00:00:00:0c")),
          DnsmasqHostEntry.reservation(
              Mac.parse("52:54:00:00:00:0a"), Ipv4.parse("10.11.0.2"), "peach-beach"));

  @Test
  void shouldRenderOneReservationPerInstallingMacAndOneIgnorePerFinishedMac() {
    Golden.assertMatches("render/dnsmasq-hosts.txt", DnsmasqHostsRenderer.render(ENTRIES));
  }

  @Test
  void shouldRenderTheSameBytesWhateverTheInputOrder() {
    List<DnsmasqHostEntry> shuffled = new ArrayList<>(ENTRIES);
    Collections.reverse(shuffled);

    assertThat(DnsmasqHostsRenderer.render(shuffled))
        .isEqualTo(DnsmasqHostsRenderer.render(ENTRIES));
  }

  @Test
  void shouldNeverWriteTagsIntoTheHostFile() {
    assertThat(DnsmasqHostsRenderer.render(ENTRIES)).doesNotContain("set:").doesNotContain("tag:");
  }
}
