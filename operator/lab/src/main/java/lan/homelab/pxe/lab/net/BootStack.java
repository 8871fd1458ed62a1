package lan.homelab.pxe.lab.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.sync.AtomicFiles;

/**
 * The boot pod of the lab: dnsmasq (supervised: restarted when it exits) and nginx running in the
 * lab's server namespace from the files of a {@link BootDir}, as the pod's containers run them.
 */
public final class BootStack {
  /**
   * Where Debian's ipxe package puts the first-stage loaders; the lab copies the two the chart's
   * dnsmasq image ships (undionly.kpxe, ipxe.efi) into the TFTP root.
   */
  public static final Path IPXE_LOADERS = Path.of("/usr/lib/ipxe");

  private final NetLab lab;
  private final BootDir dir;
  private Supervised dnsmasq;
  private Process nginx;

  public BootStack(NetLab lab, BootDir dir) throws IOException {
    this.lab = lab;
    this.dir = dir;
    for (Path d :
        List.of(
            dir.hostsDir(),
            dir.nginxConf().getParent(),
            dir.genericIpxe().getParent(),
            dir.ipxeDir(),
            dir.answersDir(),
            dir.hookToken().getParent(),
            dir.assetsDir(),
            dir.tftpDir())) {
      AtomicFiles.directory(d);
    }
    // dnsmasq (root) and nginx (uid 101, the pod's fsGroup) write pid and temp files here.
    AtomicFiles.directory(dir.dnsmasqPidFile().getParent(), AtomicFiles.SHARED_DIR_MODE);
    AtomicFiles.directory(dir.nginxTemp(), AtomicFiles.SHARED_DIR_MODE);
    for (String loader : List.of("undionly.kpxe", "ipxe.efi")) {
      Path source = IPXE_LOADERS.resolve(loader);
      if (Files.isRegularFile(source) && !Files.exists(dir.tftpDir().resolve(loader))) {
        Files.copy(source, dir.tftpDir().resolve(loader));
      }
    }
  }

  public BootDir dir() {
    return dir;
  }

  /** Starts dnsmasq from the directory's dnsmasq.conf, restarted whenever it exits. */
  public Supervised startDnsmasq() throws IOException {
    return startDnsmasq(java.util.Map.of());
  }

  /**
   * Starts dnsmasq with extra environment, which dnsmasq passes on to its lease hook (e.g. {@code
   * PXE_HOOK_URL}, {@code PXE_HOOK_TOKEN_FILE}).
   */
  public Supervised startDnsmasq(java.util.Map<String, String> env) throws IOException {
    dnsmasq =
        lab.supervise(
            "dnsmasq",
            // The boot pod's arguments (helm/pxe-operator/templates/boot-deployment.yaml).
            List.of(
                "dnsmasq",
                "--keep-in-foreground",
                "--conf-file=" + dir.dnsmasqConf(),
                "--log-facility=-",
                "--user=root"),
            env);
    return dnsmasq;
  }

  /** Starts nginx from the directory's nginx.conf as the boot pod does ({@code nginx -c conf}). */
  public Process startNginx() throws IOException {
    nginx =
        lab.start(
            lab.serverNamespace(), List.of("nginx", "-c", dir.nginxConf().toString()), "nginx");
    return nginx;
  }

  /**
   * Sends IPv6 router advertisements on the bridge (a second, RA-only dnsmasq): without them iPXE
   * waits ~15 s for IPv6 autoconfiguration on every DHCP. The lab's stand-in for the LAN's router.
   */
  public Process startRouterAdvertisements() throws IOException {
    Cmd.check(
        "ip", "-n", lab.serverNamespace(), "addr", "add", "fd11:11::1/64", "dev", NetLab.BRIDGE);
    return lab.start(
        lab.serverNamespace(),
        List.of(
            "dnsmasq",
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--port=0",
            "--interface=" + NetLab.BRIDGE,
            "--bind-interfaces",
            "--enable-ra",
            "--dhcp-range=fd11:11::,ra-only,64",
            "--pid-file=" + dir.root().resolve("run/ra.pid"),
            "--dhcp-leasefile=" + dir.root().resolve("run/ra.leases"),
            "--log-facility=-"),
        "router-advertisements");
  }

  public Supervised dnsmasq() {
    return dnsmasq;
  }

  public Process nginx() {
    return nginx;
  }
}
