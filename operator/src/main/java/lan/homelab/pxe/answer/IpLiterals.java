package lan.homelab.pxe.answer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import lan.homelab.pxe.config.Ipv4;

/** IPv4/IPv6 address and CIDR literals as the installer parses them; never resolves names. */
final class IpLiterals {
  private IpLiterals() {}

  static boolean isAddress(String text) {
    return isIpv4(text) || isIpv6(text);
  }

  /** {@code addr/prefix} with prefix 0–32 (IPv4) or 0–128 (IPv6). */
  static boolean isCidr(String text) {
    int slash = text.indexOf('/');
    if (slash < 0 || slash != text.lastIndexOf('/')) {
      return false;
    }
    String address = text.substring(0, slash);
    String prefix = text.substring(slash + 1);
    if (!prefix.matches("[0-9]{1,3}")) {
      return false;
    }
    int bits = Integer.parseInt(prefix);
    if (isIpv4(address)) {
      return bits <= 32;
    }
    return isIpv6(address) && bits <= 128;
  }

  private static boolean isIpv4(String text) {
    return !text.isBlank() && text.equals(text.trim()) && Ipv4.tryParse(text).isPresent();
  }

  private static boolean isIpv6(String text) {
    // only colon-hex literals reach InetAddress, which then parses without any lookup
    if (!text.matches("[0-9A-Fa-f:.]+") || !text.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(text).getAddress().length == 16 || text.startsWith("::ffff:");
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
