package lan.homelab.pxe.render;

/**
 * Renders dnsmasq's static configuration (ConfigMap pxe-dnsmasq, key dnsmasq.conf): DHCP and TFTP
 * on the cluster interface only, no DNS, answering only PXE/iPXE clients and known MACs.
 *
 * <p>Host entries live in a {@code dhcp-hostsdir}, not in this file: dnsmasq watches that directory
 * with inotify, so a new reservation is in force as soon as the sync process renames the file into
 * place, without any signal; removed or changed entries need SIGHUP, which re-reads host files (and
 * never this file, whose changes need a restart). The host file never carries {@code set:} tags
 * (dnsmasq 2.90 segfaults on SIGHUP when a served host has one), so every tag here comes from what
 * the client sends or from {@code known}.
 *
 * <p>Option 250 (answer URL) is forced, as text, to known hosts only, and is the same URL for every
 * node: nginx answers by the requesting address, and a per-host option would need a tag in the host
 * file. dnsmasq drops privileges after start, so the sync writes every file it reads
 * world-readable.
 */
public final class DnsmasqConfRenderer {
  /**
   * Lease time of discovery-pool addresses, dnsmasq's minimum: the PXE ROM and iPXE need them for
   * seconds, and an address a forged client took is free again this soon. A machine that waits
   * renews its lease (iPXE re-asks DHCP) and each renewal is reported ({@code script-on-renewal}).
   */
  public static final java.time.Duration POOL_LEASE = java.time.Duration.ofMinutes(2);

  private DnsmasqConfRenderer() {}

  public static String render(DnsmasqConf conf) {
    BootDir dir = BootDir.POD;
    StringBuilder out = new StringBuilder();
    line(
        out,
        "# Rendered by pxe-operator; do not edit. Paths name the boot pod's " + BootDir.POD_ROOT);
    line(out, "# DHCP and TFTP only (no DNS), on the cluster interface only.");
    line(out, "port=0");
    line(out, "interface=" + conf.interfaceName());
    line(out, "bind-interfaces");
    line(out, "log-facility=-");
    line(out, "log-dhcp");
    line(out, "pid-file=" + dir.dnsmasqPidFile());
    line(out, "dhcp-leasefile=" + dir.leaseFile());
    line(out, "dhcp-lease-max=" + conf.leaseMax());
    line(out, "# A new pool address is handed out at once (the ping check costs ~3 s).");
    line(out, "no-ping");
    line(out, "");
    line(out, "# Reservations anywhere in the network (static), a small pool for PXE newcomers.");
    line(out, "dhcp-range=" + conf.network().base() + ",static," + conf.network().netmask());
    line(
        out,
        "dhcp-range="
            + conf.poolStart()
            + ","
            + conf.poolEnd()
            + ","
            + conf.network().netmask()
            + ","
            + POOL_LEASE.toMinutes()
            + "m");
    line(out, "dhcp-option=option:router," + conf.gateway());
    line(out, "dhcp-option=option:dns-server," + conf.dns());
    line(out, "dhcp-option=option:domain-name," + conf.domain());
    line(out, "dhcp-hostsdir=" + dir.hostsDir());
    line(out, "");
    line(
        out,
        "# Who is talking: PXE ROMs and iPXE send vendor class PXEClient, iPXE user class iPXE.");
    line(out, "dhcp-vendorclass=set:pxe,PXEClient");
    line(out, "dhcp-userclass=set:ipxe,iPXE");
    line(out, "dhcp-match=set:efi64,option:client-arch,7");
    line(out, "dhcp-match=set:efi64,option:client-arch,9");
    line(out, "# An unknown machine that is not PXE booting (a laptop) gets nothing.");
    line(out, "dhcp-ignore=tag:!known,tag:!pxe");
    if (!conf.allowList().isEmpty()) {
      line(out, "# allowList: other unknown clients get nothing; the deny-list wins over it.");
      for (String prefix : conf.allowList()) {
        line(out, "dhcp-mac=set:allowed," + macPattern(prefix));
      }
      for (String entry : conf.denyList()) {
        line(out, "dhcp-mac=set:denied," + macPattern(entry));
      }
      line(out, "dhcp-ignore=tag:!known,tag:!allowed");
      if (!conf.denyList().isEmpty()) {
        line(out, "dhcp-ignore=tag:!known,tag:denied");
      }
    }
    line(out, "");
    line(
        out,
        "# The chain: PXE ROM -> iPXE over TFTP (BIOS: undionly.kpxe, UEFI: ipxe.efi)"
            + " -> generic iPXE script over HTTP.");
    line(out, "enable-tftp");
    line(out, "tftp-root=" + dir.tftpDir());
    line(out, "dhcp-boot=tag:ipxe," + conf.urls().genericScript());
    line(out, "dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi");
    line(out, "dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe");
    line(out, "");
    line(
        out,
        "# The installer's answer URL (and certificate fingerprint), as text, to known hosts.");
    line(out, "dhcp-option-force=tag:known,250,\"" + conf.urls().answer() + "\"");
    if (conf.certFingerprint() != null) {
      line(out, "dhcp-option-force=tag:known,251,\"" + conf.certFingerprint() + "\"");
    }
    line(out, "");
    line(out, "# Lease events go to the operator's discovery intake.");
    line(out, "dhcp-script=" + dir.hookScript());
    line(out, "# A renewal is reported too: an unclaimed machine that renews is still there.");
    line(out, "script-on-renewal");
    return out.toString();
  }

  /**
   * A MAC or MAC prefix of whole bytes (separators {@code :}, {@code -} or none) as a dnsmasq
   * {@code dhcp-mac} pattern: {@code 52:54:00} becomes {@code 52:54:00:*:*:*}.
   */
  static String macPattern(String prefix) {
    String hex = prefix.replaceAll("[^0-9A-Fa-f]", "").toLowerCase(java.util.Locale.ROOT);
    if (hex.isEmpty() || hex.length() % 2 != 0 || hex.length() > 12) {
      throw new IllegalArgumentException("not a MAC prefix of whole bytes: " + prefix);
    }
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      if (i > 0) {
        pattern.append(':');
      }
      pattern.append(2 * i < hex.length() ? hex.substring(2 * i, 2 * i + 2) : "*");
    }
    return pattern.toString();
  }

  private static void line(StringBuilder out, String text) {
    out.append(text).append('\n');
  }
}
