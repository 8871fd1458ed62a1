package lan.homelab.pxe.lab.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import lan.homelab.pxe.claim.Mac;

/**
 * A QEMU machine (TCG: no KVM here) on the lab bridge that boots from the network and powers off at
 * the end ({@code -no-reboot}). BIOS: SeaBIOS with Debian's iPXE ROM (ipxe-qemu) on an e1000 NIC.
 * UEFI: OVMF with no option ROM on a virtio NIC ({@code romfile=}), so the firmware's own PXE
 * client fetches the first-stage ipxe.efi over TFTP.
 */
public final class QemuMachine {
  /** Firmware flavours. */
  public enum Firmware {
    BIOS,
    UEFI
  }

  public static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
  public static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

  private final Process process;
  private final Path serialLog;

  private QemuMachine(Process process, Path serialLog) {
    this.process = process;
    this.serialLog = serialLog;
  }

  /**
   * Starts the machine in the lab's server namespace on a new tap on the bridge.
   *
   * @param memoryMib memory; the per-node script refuses the installer below ~6000 MiB
   */
  public static QemuMachine start(
      NetLab lab, String name, Mac mac, Firmware firmware, int memoryMib) throws IOException {
    String tap = lab.addTap();
    Path serial = lab.log(name + "-serial");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "qemu-system-x86_64",
                "-accel",
                "tcg",
                "-m",
                Integer.toString(memoryMib),
                "-display",
                "none",
                "-monitor",
                "none",
                "-serial",
                "file:" + serial,
                "-no-reboot",
                "-netdev",
                "tap,id=n0,ifname=" + tap + ",script=no,downscript=no"));
    if (firmware == Firmware.BIOS) {
      cmd.addAll(List.of("-device", "e1000,netdev=n0,mac=" + mac.value(), "-boot", "n"));
    } else {
      Path vars = lab.workDir().resolve(name + "-OVMF_VARS.fd");
      Files.copy(OVMF_VARS, vars, StandardCopyOption.REPLACE_EXISTING);
      cmd.addAll(
          List.of(
              "-machine",
              "q35",
              "-drive",
              "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
              "-drive",
              "if=pflash,format=raw,file=" + vars,
              "-device",
              "virtio-net-pci,netdev=n0,romfile=,mac=" + mac.value(),
              "-boot",
              "n"));
    }
    return new QemuMachine(lab.start(lab.serverNamespace(), cmd, name), serial);
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** What the machine wrote on its serial port so far. */
  public String serial() {
    try {
      return Files.exists(serialLog) ? Files.readString(serialLog) : "";
    } catch (IOException e) {
      return "";
    }
  }

  public void kill() {
    process.destroyForcibly();
  }
}
