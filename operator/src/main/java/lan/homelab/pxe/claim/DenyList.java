package lan.homelab.pxe.claim;

import java.util.List;

/** MACs and MAC prefixes that never claim a slot (the server's own NICs, Proxmox VMs). */
public record DenyList(List<String> entries) {
  public boolean denies(Mac mac) {
    return entries.stream().anyMatch(mac::hasPrefix);
  }
}
