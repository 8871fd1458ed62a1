package lan.homelab.pxe.install;

import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;

/**
 * A DHCP lease event as dnsmasq's lease hook reported it.
 *
 * @param mac the client's hardware address
 * @param address the address dnsmasq gave it (pool or reserved), may be null
 * @param clientType PXE ROM, iPXE or other
 * @param architecture client architecture (from dnsmasq tags), e.g. bios, x86-64-efi; may be null
 * @param interfaceName interface the request arrived on; may be null
 */
public record DiscoveryReport(
    Mac mac, Ipv4 address, ClientType clientType, String architecture, String interfaceName) {}
