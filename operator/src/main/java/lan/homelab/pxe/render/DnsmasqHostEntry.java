package lan.homelab.pxe.render;

import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;

/**
 * One dnsmasq host entry: a reservation (the slot address and hostname for an Installing MAC) or an
 * ignore (a Provisioned or Failed MAC that must boot from its disk).
 */
public record DnsmasqHostEntry(Mac mac, Ipv4 address, String hostname, boolean ignore) {
  public static DnsmasqHostEntry reservation(Mac mac, Ipv4 address, String hostname) {
    return new DnsmasqHostEntry(mac, address, hostname, false);
  }

  public static DnsmasqHostEntry ignored(Mac mac) {
    return new DnsmasqHostEntry(mac, null, null, true);
  }
}
