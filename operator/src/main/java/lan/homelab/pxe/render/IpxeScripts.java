package lan.homelab.pxe.render;

/** Renders the per-node iPXE script that boots the Proxmox installer. */
public final class IpxeScripts {
  private IpxeScripts() {}

  /**
   * The per-node script: boots vmlinuz with initrd.img and the prepared ISO as a second initrd
   * named proxmox.iso, after checking the machine has the memory the ISO-in-RAM boot needs.
   *
   * @param assetsUrl base URL of the boot assets (vmlinuz, initrd.img, proxmox.iso)
   * @param hostname the node's hostname, shown on its console
   */
  public static String node(String assetsUrl, String hostname) {
    return "#!ipxe\n"
        + "echo pxe-operator: installing Proxmox VE as "
        + hostname
        + "\n"
        + "kernel "
        + assetsUrl
        + "/vmlinuz initrd=initrd.img ramdisk_size=16777216 rw quiet splash=silent"
        + " proxmox-start-auto-installer\n"
        + "initrd "
        + assetsUrl
        + "/initrd.img initrd.img\n"
        + "initrd "
        + assetsUrl
        + "/proxmox.iso proxmox.iso\n"
        + "boot\n";
  }
}
