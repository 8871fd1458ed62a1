package lan.homelab.pxe.render;

import java.util.Collection;
import java.util.Comparator;

/**
 * Renders dnsmasq's host file ({@code dhcp-hostsdir} syntax): one line per MAC, sorted by MAC, so
 * the same state always gives byte-identical text. A reservation is {@code MAC,address,hostname,1h}
 * (a finite lease, so a released address is not held by a stale lease forever); an ignore is {@code
 * MAC,ignore}. Never writes {@code set:} tags: dnsmasq 2.90 crashes on SIGHUP when a served host
 * carries one.
 */
public final class DnsmasqHostsRenderer {
  /** Lease time of a reservation: the installer renews it; the installed node is static. */
  static final String RESERVATION_LEASE = "1h";

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
                    .append(',')
                    .append(RESERVATION_LEASE)
                    .append('\n');
              }
            });
    return out.toString();
  }
}
