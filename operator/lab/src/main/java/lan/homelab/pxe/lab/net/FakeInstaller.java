package lan.homelab.pxe.lab.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Builds the boot assets of a machine that plays the Proxmox installer: Debian's kernel, an
 * initramfs of busybox-static plus the NIC modules and {@code fake-installer-init.sh} as /init, and
 * a small stand-in for the prepared ISO, also wrapped as proxmox.iso in proxmox-iso.cpio for UEFI.
 * Built from the host's Debian packages (linux-image-amd64, busybox-static), never downloaded.
 */
public final class FakeInstaller {
  /** The NIC drivers the initramfs loads, in dependency order (QEMU e1000 and virtio-net). */
  static final List<String> MODULES =
      List.of(
          "drivers/virtio/virtio_ring.ko",
          "drivers/virtio/virtio.ko",
          "drivers/virtio/virtio_pci_legacy_dev.ko",
          "drivers/virtio/virtio_pci_modern_dev.ko",
          "drivers/virtio/virtio_pci.ko",
          "net/core/failover.ko",
          "drivers/net/net_failover.ko",
          "drivers/net/virtio_net.ko",
          "drivers/net/ethernet/intel/e1000/e1000.ko");

  private FakeInstaller() {}

  /** The newest Debian kernel in /boot, or null when none is installed. */
  public static Path kernel() throws IOException {
    Path newest = null;
    try (DirectoryStream<Path> boot = Files.newDirectoryStream(Path.of("/boot"), "vmlinuz-*")) {
      for (Path p : boot) {
        if (newest == null
            || p.getFileName().toString().compareTo(newest.getFileName().toString()) > 0) {
          newest = p;
        }
      }
    }
    return newest;
  }

  /** Writes vmlinuz, initrd.img and proxmox.iso into the assets directory. */
  public static void build(Path assets, Path scratch) throws IOException {
    Path kernel = kernel();
    if (kernel == null) {
      throw new IOException("no /boot/vmlinuz-*: apt-get install linux-image-amd64");
    }
    String release = kernel.getFileName().toString().substring("vmlinuz-".length());
    Path modules = Path.of("/lib/modules", release, "kernel");
    Path root = scratch.resolve("initramfs");
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("lib/modules"));
    for (String dir : List.of("proc", "sys", "dev", "tmp", "etc")) {
      Files.createDirectories(root.resolve(dir));
    }
    Files.copy(
        Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
    for (String module : MODULES) {
      Path source = modules.resolve(module);
      Files.copy(
          source,
          root.resolve("lib/modules").resolve(source.getFileName()),
          StandardCopyOption.REPLACE_EXISTING);
    }
    resource("fake-installer-init.sh", root.resolve("init"));
    resource("fake-installer-lease.sh", root.resolve("lease.sh"));
    resource("fake-installer-answer-request.json", root.resolve("answer-request.json"));
    resource("fake-installer-post-hook.json", root.resolve("post-hook.json"));
    for (Path exe :
        List.of(root.resolve("init"), root.resolve("lease.sh"), root.resolve("bin/busybox"))) {
      Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.createDirectories(assets);
    Path initrd = assets.resolve("initrd.img");
    Cmd.Result packed =
        Cmd.run(
            List.of(
                "sh",
                "-c",
                "cd \"$1\" && find . | cpio -o -H newc --quiet | gzip -1 > \"$2\"",
                "sh",
                root.toString(),
                initrd.toString()),
            60);
    if (!packed.ok()) {
      throw new IOException("cannot pack the initramfs: " + packed.out());
    }
    Files.copy(kernel, assets.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
    byte[] iso = new byte[1 << 20];
    byte[] mark = "PXE-OPERATOR-LAB-ISO".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(mark, 0, iso, 0, mark.length);
    Files.write(assets.resolve("proxmox.iso"), iso);
    Cmd.Result wrapped =
        Cmd.run(
            List.of(
                "sh",
                "-c",
                "cd \"$1\" && echo proxmox.iso | cpio -o -H newc --quiet > \"$2\"",
                "sh",
                assets.toString(),
                assets.resolve(lan.homelab.pxe.render.IpxeScripts.ISO_CPIO).toString()),
            60);
    if (!wrapped.ok()) {
      throw new IOException("cannot wrap the ISO: " + wrapped.out());
    }
  }

  private static void resource(String name, Path target) throws IOException {
    try (InputStream in = FakeInstaller.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
