package lan.homelab.pxe.render;

import java.net.URI;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.OperatorSettings;

/**
 * The URLs machines fetch from nginx, derived from the settings: one place so dnsmasq's options,
 * the iPXE scripts and nginx's locations agree.
 */
public record BootUrls(String base, String answerBase) {
  /** Memory (MiB, iPXE's {@code ${memsize}}) the ISO-in-RAM installer boot needs: ~6 GiB. */
  public static final int MIN_MEMORY_MIB = 6000;

  public static BootUrls of(OperatorSettings settings) {
    String base = settings.bootHttpUrl();
    String answerBase = base;
    if (settings.tlsEnabled()) {
      URI uri = URI.create(base);
      answerBase = "https://" + uri.getHost() + ":" + settings.nginxHttpsPort();
    }
    return new BootUrls(base, answerBase);
  }

  /** The generic iPXE script dnsmasq hands to every iPXE client. */
  public String genericScript() {
    return base + "/boot.ipxe";
  }

  /** A node's iPXE script (nginx: 404 until the node's claim is in force). */
  public String nodeScript(Mac mac) {
    return base + "/ipxe/" + mac.objectName();
  }

  /** The same, as iPXE expands it for the machine running the script. */
  public String nodeScriptForRunningMachine() {
    return base + "/ipxe/${mac:hexhyp}";
  }

  /** nginx answers 200 when the path's number of MiB is enough for the installer, else 404. */
  public String memoryCheck() {
    return base + "/ipxe/memory-ok/${memsize}";
  }

  /** A node's report that its script refused to boot the installer (nginx tells the operator). */
  public String refusal(Mac mac, String reason) {
    return base + "/ipxe/refused/" + mac.objectName() + "/" + reason + "/${memsize}";
  }

  /** Boot assets: vmlinuz, initrd.img, proxmox.iso. */
  public String assets() {
    return base + "/assets";
  }

  /**
   * The answer URL (DHCP option 250): one URL for every node, since nginx picks the file by the
   * requesting address; HTTPS on nginx's HTTPS port ({@link OperatorSettings#nginxHttpsPort}) when
   * TLS is on.
   */
  public String answer() {
    return answerBase + "/answer";
  }
}
