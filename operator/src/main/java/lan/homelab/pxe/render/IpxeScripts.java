package lan.homelab.pxe.render;

import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;

/**
 * Renders the iPXE chain: the generic script every iPXE client gets from DHCP, and the per-node
 * script that boots the Proxmox installer. Written for Debian 12's iPXE (2019): only commands that
 * build has ({@code imgfetch}, {@code iseq}, {@code inc}, {@code prompt}, {@code dhcp}), no numeric
 * comparison (nginx checks the memory size for the script). That build has no {@code ${memsize}}
 * setting either: the per-node script then says so and boots without the memory check. Under UEFI
 * ({@code ${platform}} efi) the script boots the ISO from {@link #ISO_CPIO} instead of naming it.
 */
public final class IpxeScripts {
  /** Attempts of the generic script before it gives up (about 3 s apart: ~2 minutes). */
  public static final int GENERIC_ATTEMPTS = 40;

  /** Attempts of the per-node script to get its reserved address from DHCP. */
  public static final int ADDRESS_ATTEMPTS = 10;

  /** Kernel arguments of Proxmox's own PXE script (prepare-iso --pxe), auto-installer entry. */
  public static final String KERNEL_ARGS =
      "ramdisk_size=16777216 rw quiet splash=silent proxmox-start-auto-installer";

  /**
   * Boot asset for UEFI: the prepared ISO as the one member {@code proxmox.iso} of an uncompressed
   * newc cpio archive ({@code echo proxmox.iso | cpio -o -H newc > proxmox-iso.cpio}). Debian 12's
   * iPXE hands initrds to a UEFI kernel as plain files without cpio names, so {@code initrd ...
   * proxmox.iso} never appears as /proxmox.iso there; an archive that already names it does. It
   * goes first: the kernel reads an uncompressed archive only at a 4-byte aligned offset of the
   * concatenated initrds, and the EFI stub appends initrd.img (gzip, any length) unpadded.
   */
  public static final String ISO_CPIO = "proxmox-iso.cpio";

  private IpxeScripts() {}

  /**
   * The generic script: fetches this machine's own script (by MAC) and runs it; while the machine
   * holds no claim (nginx answers 404) it waits, renews its DHCP lease and retries, a bounded
   * number of times, then exits so the firmware tries its next boot device.
   */
  public static String generic(BootUrls urls) {
    return "#!ipxe\n"
        + "# pxe-operator generic script: boots this machine's own script once it holds a slot.\n"
        + "set tries:int32 0\n"
        + ":retry\n"
        + "imgfetch --name node "
        + urls.nodeScriptForRunningMachine()
        + " && goto claimed ||\n"
        + "inc tries\n"
        + "iseq ${tries} "
        + GENERIC_ATTEMPTS
        + " && goto giveup ||\n"
        + "echo pxe-operator: ${mac} holds no slot yet (attempt ${tries}/"
        + GENERIC_ATTEMPTS
        + "), waiting\n"
        + "prompt --timeout 3000 Press any key to retry now ||\n"
        + "dhcp ||\n"
        + "goto retry\n"
        + ":claimed\n"
        + "chain --autofree node\n"
        + ":giveup\n"
        + "echo pxe-operator: no slot for ${mac} - add a ProvisioningSlot and reboot this machine\n"
        + "exit 1\n";
  }

  /**
   * The per-node script, as {@link #node(BootUrls, Mac, Ipv4, String)} with the boot URLs derived
   * from the assets URL's origin. Kept for callers that know only the assets URL.
   *
   * @param assetsUrl base URL of the boot assets (vmlinuz, initrd.img, proxmox.iso), ending in
   *     /assets
   * @param hostname the node's hostname, shown on its console
   */
  public static String node(String assetsUrl, String hostname) {
    String base = assetsUrl.replaceFirst("/assets/?$", "");
    return body(new BootUrls(base, base), null, null, hostname, assetsUrl);
  }

  /**
   * The per-node script: waits (bounded) until DHCP gives the machine its reserved address, asks
   * nginx whether {@code ${memsize}} is enough for the ISO-in-RAM boot (~6 GiB) and reports a
   * refusal instead of booting into a failure; then boots vmlinuz with initrd.img and the prepared
   * ISO as a second initrd named proxmox.iso ({@code initrd=initrd.img} on the kernel line for
   * UEFI), with the kernel arguments of Proxmox's own PXE script and {@code
   * proxmox-start-auto-installer}.
   */
  public static String node(BootUrls urls, Mac mac, Ipv4 address, String hostname) {
    return body(urls, mac, address, hostname, urls.assets());
  }

  private static String body(BootUrls urls, Mac mac, Ipv4 address, String hostname, String assets) {
    StringBuilder out = new StringBuilder("#!ipxe\n");
    out.append("# pxe-operator: installs Proxmox VE as ").append(hostname).append('\n');
    if (address != null) {
      out.append("set tries:int32 0\n")
          .append(":address\n")
          .append("iseq ${ip} ")
          .append(address)
          .append(" && goto memory ||\n")
          .append("inc tries\n")
          .append("iseq ${tries} ")
          .append(ADDRESS_ATTEMPTS)
          .append(" && goto noaddress ||\n")
          .append("echo pxe-operator: waiting for the reserved address ")
          .append(address)
          .append(" (have ${ip})\n")
          .append("prompt --timeout 1000 Press any key to retry now ||\n")
          .append("dhcp ||\n")
          .append("goto address\n");
    }
    out.append(":memory\n")
        .append("isset ${memsize} || goto nomemsize\n")
        .append("imgfetch --name memory-ok ")
        .append(urls.memoryCheck())
        .append(" || goto lowmemory\n")
        .append("imgfree memory-ok\n")
        .append("goto boot\n")
        .append(":nomemsize\n")
        .append("echo pxe-operator: this iPXE has no memsize setting, cannot check for ")
        .append(BootUrls.MIN_MEMORY_MIB)
        .append(" MiB of memory\n")
        .append(":boot\n")
        .append("echo pxe-operator: installing Proxmox VE as ")
        .append(hostname)
        .append('\n')
        .append("iseq ${platform} efi && goto efi ||\n")
        .append("kernel ")
        .append(assets)
        .append("/vmlinuz initrd=initrd.img " + KERNEL_ARGS + "\n")
        .append("initrd --name initrd.img ")
        .append(assets)
        .append("/initrd.img\n")
        .append("initrd --name proxmox.iso ")
        .append(assets)
        .append("/proxmox.iso proxmox.iso\n")
        .append("boot\n")
        .append(":efi\n")
        .append(
            "echo pxe-operator: UEFI: the ISO comes wrapped as proxmox.iso in " + ISO_CPIO + "\n")
        .append("kernel ")
        .append(assets)
        .append("/vmlinuz initrd=" + ISO_CPIO + " initrd=initrd.img " + KERNEL_ARGS + "\n")
        .append("initrd --name " + ISO_CPIO + " ")
        .append(assets)
        .append("/" + ISO_CPIO + "\n")
        .append("initrd --name initrd.img ")
        .append(assets)
        .append("/initrd.img\n")
        .append("boot\n")
        .append(":lowmemory\n")
        .append("echo pxe-operator: ${memsize} MiB of memory, the installer needs ")
        .append(BootUrls.MIN_MEMORY_MIB)
        .append(" MiB: not booting it\n");
    if (mac != null) {
      out.append("imgfetch ").append(urls.refusal(mac, "memory")).append(" ||\n");
    }
    out.append("exit 1\n");
    if (address != null) {
      out.append(":noaddress\n")
          .append("echo pxe-operator: DHCP did not give the reserved address ")
          .append(address)
          .append(": not booting the installer\n")
          .append("imgfetch ")
          .append(urls.refusal(mac, "address"))
          .append(" ||\n")
          .append("exit 1\n");
    }
    return out.toString();
  }
}
