package lan.homelab.pxe.render;

import java.nio.file.Path;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;

/**
 * The directory tree the sync process writes and dnsmasq and nginx read, under one root. Rendered
 * configuration names the boot pod's root {@link #POD_ROOT}; a sync into another root (the lab, the
 * tests) replaces that prefix with its own, see {@link #relocate(String)}.
 */
public record BootDir(Path root) {
  /** Where the boot pod mounts the shared directory (an emptyDir). */
  public static final String POD_ROOT = "/var/lib/pxe-boot";

  /** The boot pod's tree, the one rendered configuration names. */
  public static final BootDir POD = new BootDir(Path.of(POD_ROOT));

  public Path dnsmasqConf() {
    return root.resolve("dnsmasq/dnsmasq.conf");
  }

  /** dnsmasq's {@code dhcp-hostsdir}: the operator's host entries live in one file in it. */
  public Path hostsDir() {
    return root.resolve("dnsmasq/hosts");
  }

  public Path hostsFile() {
    return hostsDir().resolve("hosts");
  }

  public Path dnsmasqPidFile() {
    return root.resolve("run/dnsmasq.pid");
  }

  public Path leaseFile() {
    return root.resolve("dnsmasq/leases");
  }

  /** The dnsmasq lease hook the sync process installs from the operator's resources. */
  public Path hookScript() {
    return root.resolve("dnsmasq/dhcp-event-hook.sh");
  }

  public Path nginxConf() {
    return root.resolve("nginx/nginx.conf");
  }

  public Path nginxPidFile() {
    return root.resolve("run/nginx.pid");
  }

  /** Writable scratch space of nginx (request bodies, proxy buffers). */
  public Path nginxTemp() {
    return root.resolve("run/nginx");
  }

  /** The generic iPXE script every iPXE client gets from DHCP. */
  public Path genericIpxe() {
    return root.resolve("boot/boot.ipxe");
  }

  public Path ipxeDir() {
    return root.resolve("ipxe");
  }

  /** The per-node iPXE script, named after the MAC with dashes (iPXE's {@code ${mac:hexhyp}}). */
  public Path nodeIpxe(Mac mac) {
    return ipxeDir().resolve(mac.objectName() + ".ipxe");
  }

  public Path answersDir() {
    return root.resolve("answers");
  }

  /** The answer nginx serves to the one address that may fetch it. */
  public Path answer(Ipv4 address) {
    return answersDir().resolve(address + ".toml");
  }

  /** The dhcp hook's shared secret; nginx also sends it with its notifications to the operator. */
  public Path hookToken() {
    return root.resolve("secrets/hook-token");
  }

  /** nginx's include carrying the hook token header ({@code proxy_set_header ...;}). */
  public Path hookTokenInclude() {
    return root.resolve("secrets/hook-token.nginx");
  }

  /**
   * nginx's include in {@code location /assets/}: {@code allow <address>;} for each address that
   * holds an Installing machine, then {@code deny all;}. The sync process always writes it.
   */
  public Path assetsAllowInclude() {
    return root.resolve("nginx/assets-allow.conf");
  }

  /** Boot assets: vmlinuz, initrd.img and the prepared ISO, provided out of band. */
  public Path assetsDir() {
    return root.resolve("assets");
  }

  /**
   * TFTP root: the first-stage loaders undionly.kpxe (BIOS) and ipxe.efi (UEFI), as the dnsmasq
   * image ships them.
   */
  public Path tftpDir() {
    return root.resolve("tftp");
  }

  /** Replaces the pod root in rendered text with this root. */
  public String relocate(String rendered) {
    return root.toString().equals(POD_ROOT)
        ? rendered
        : rendered.replace(POD_ROOT, root.toString());
  }
}
