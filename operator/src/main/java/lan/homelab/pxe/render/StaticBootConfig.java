package lan.homelab.pxe.render;

import java.util.Map;
import java.util.TreeMap;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.config.OperatorSettings;

/**
 * The data of the two ConfigMaps that change only with the settings: pxe-dnsmasq (dnsmasq's static
 * configuration) and pxe-boot (nginx.conf and the generic iPXE script). Whoever publishes them (the
 * operator at start, or the chart) uses these, so the boot pod's files always match the renderers.
 */
public final class StaticBootConfig {
  private StaticBootConfig() {}

  /**
   * @param certFingerprint SHA-256 fingerprint of the pxe-tls certificate, used when TLS is on
   */
  public static Map<String, String> dnsmasq(OperatorSettings settings, String certFingerprint) {
    return Map.of(
        Names.KEY_DNSMASQ_CONF,
        DnsmasqConfRenderer.render(DnsmasqConf.of(settings, certFingerprint)));
  }

  /**
   * @param operatorUrl where nginx reaches the operator's HTTP server, e.g. {@code
   *     http://pxe-operator.pxe-system.svc:8081}
   */
  public static Map<String, String> boot(OperatorSettings settings, String operatorUrl) {
    Map<String, String> data = new TreeMap<>();
    data.put(Names.KEY_NGINX_CONF, NginxConfRenderer.render(settings, operatorUrl));
    data.put(Names.KEY_GENERIC_IPXE, IpxeScripts.generic(BootUrls.of(settings)));
    return data;
  }
}
