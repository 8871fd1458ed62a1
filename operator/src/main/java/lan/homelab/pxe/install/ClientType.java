package lan.homelab.pxe.install;

/** What kind of DHCP client reported itself. Only PXE ROMs and iPXE ever claim a slot. */
public enum ClientType {
  /** Firmware PXE ROM: vendor class PXEClient... */
  PXE,
  /** iPXE (user class iPXE), chain-loaded or built in. */
  IPXE,
  /** Anything else: a laptop, a phone, an installed node's DHCP client. */
  OTHER;

  public boolean isPxe() {
    return this != OTHER;
  }
}
