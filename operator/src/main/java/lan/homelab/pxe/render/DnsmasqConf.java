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
    int leaseMax) {

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
        (int) Math.min(4096, Math.max(256, pool * 4)));
  }
}
