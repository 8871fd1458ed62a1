package lan.homelab.pxe.lab.net;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks what the real-network tests need. With CI=true a missing prerequisite fails the test; on a
 * developer machine it skips with a message saying how to run it.
 */
final class NetPrerequisites {
  private NetPrerequisites() {}

  static void require(String... tools) {
    List<String> missing = new ArrayList<>();
    if (!"0".equals(Cmd.run("id", "-u").out().trim())) {
      missing.add("root (network namespaces)");
    }
    for (String tool : tools) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    report(missing);
  }

  /** The boot assets the QEMU and end-to-end tests build from: Debian kernel, loaders, OVMF. */
  static void requireBootFiles() {
    List<String> missing = new ArrayList<>();
    try {
      if (FakeInstaller.kernel() == null) {
        missing.add("/boot/vmlinuz-* (linux-image-amd64)");
      }
    } catch (java.io.IOException e) {
      missing.add("/boot (" + e.getMessage() + ")");
    }
    for (Path file :
        List.of(
            BootStack.IPXE_LOADERS.resolve("undionly.kpxe"),
            BootStack.IPXE_LOADERS.resolve("ipxe.efi"),
            QemuMachine.OVMF_CODE,
            QemuMachine.OVMF_VARS,
            Path.of("/bin/busybox"))) {
      if (!Files.isRegularFile(file)) {
        missing.add(file.toString());
      }
    }
    report(missing);
  }

  private static void report(List<String> missing) {
    if (missing.isEmpty()) {
      return;
    }
    String message =
        "real-network test needs "
            + String.join(", ", missing)
            + ": run as root after .ci/run's apt-get install line (dnsmasq nginx busybox-static"
            + " udhcpc python3-scapy iproute2 ipxe ...)";
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool))
        || Files.isExecutable(Path.of("/sbin", tool));
  }
}
