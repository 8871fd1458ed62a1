package lan.homelab.pxe.render;

import java.util.Collection;
import java.util.Comparator;

/**
 * Renders dnsmasq's host file ({@code dhcp-hostsfile}/{@code dhcp-hostsdir} syntax): one line per
 * MAC, sorted by MAC, so the same state always gives byte-identical text. Never writes {@code set:}
 * tags: dnsmasq 2.90 crashes on SIGHUP when a served host carries one.
 */
public final class DnsmasqHostsRenderer {
  private DnsmasqHostsRenderer() {}

  public static String render(Collection<DnsmasqHostEntry> entries) {
    StringBuilder out = new StringBuilder("# Rendered by pxe-operator; do not edit.\n");
    entries.stream()
        .sorted(Comparator.comparing(DnsmasqHostEntry::mac))
        .forEach(
            e -> {
              if (e.ignore()) {
                out.append(e.mac()).append(",ignore\n");
              } else {
                out.append(e.mac())
                    .append(',')
                    .append(e.address())
                    .append(',')
                    .append(e.hostname())
                    .append(",infinite\n");
              }
            });
    return out.toString();
  }
}
