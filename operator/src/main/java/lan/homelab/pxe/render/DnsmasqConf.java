package lan.homelab.pxe.render;

import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.Ipv4Network;
import lan.homelab.pxe.config.OperatorSettings;

/**
 * What dnsmasq's static configuration depends on.
 *
 * @param certFingerprint SHA-256 fingerprint of nginx's certificate (DHCP option 251), or null when
 *     TLS is off
 * @param leaseMax dnsmasq's {@code dhcp-lease-max}: slots plus the discovery pool, with room
 * @param allowList MAC prefixes of the only unknown PXE clients dnsmasq answers; empty: all
 * @param denyList MACs and MAC prefixes dnsmasq never answers unless known, when {@code allowList}
 *     is set (it wins over the allow list)
 */
public record DnsmasqConf(
    String interfaceName,
    Ipv4Network network,
    Ipv4 serverAddress,
    Ipv4 gateway,
    Ipv4 dns,
    String domain,
    Ipv4 poolStart,
    Ipv4 poolEnd,
    BootUrls urls,
    String certFingerprint,
    int leaseMax,
    java.util.List<String> allowList,
    java.util.List<String> denyList) {

  public static DnsmasqConf of(OperatorSettings settings, String certFingerprint) {
    long pool = settings.discoveryPoolEnd().bits() - settings.discoveryPoolStart().bits() + 1;
    return new DnsmasqConf(
        settings.interfaceName(),
        settings.network(),
        settings.serverAddress(),
        settings.gateway(),
        settings.dns(),
        settings.domain(),
        settings.discoveryPoolStart(),
        settings.discoveryPoolEnd(),
        BootUrls.of(settings),
        settings.tlsEnabled() ? certFingerprint : null,
        (int) Math.min(4096, Math.max(256, pool * 4)),
        settings.allowList(),
        settings.denyList());
  }
}
