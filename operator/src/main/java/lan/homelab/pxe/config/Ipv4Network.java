package lan.homelab.pxe.config;

/** An IPv4 network in CIDR form, such as 10.11.0.0/22. */
public record Ipv4Network(Ipv4 base, int prefix) {
  public Ipv4Network {
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("prefix length out of range: " + prefix);
    }
    if ((base.bits() & ~mask(prefix) & 0xFFFF_FFFFL) != 0) {
      throw new IllegalArgumentException(
          base + "/" + prefix + " has host bits set; the network is " + network(base, prefix));
    }
  }

  public static Ipv4Network parse(String cidr) {
    String[] parts = cidr == null ? new String[0] : cidr.trim().split("/");
    if (parts.length != 2 || !parts[1].matches("[0-9]{1,2}")) {
      throw new IllegalArgumentException("not a CIDR like 10.11.0.0/22: '" + cidr + "'");
    }
    return new Ipv4Network(Ipv4.parse(parts[0]), Integer.parseInt(parts[1]));
  }

  private static long mask(int prefix) {
    return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
  }

  private static String network(Ipv4 address, int prefix) {
    return new Ipv4(address.bits() & mask(prefix)) + "/" + prefix;
  }

  public boolean contains(Ipv4 address) {
    return (address.bits() & mask(prefix)) == base.bits();
  }

  public Ipv4 broadcast() {
    return new Ipv4(base.bits() | (~mask(prefix) & 0xFFFF_FFFFL));
  }

  /** Whether the address is a usable host address: inside, not the network or broadcast one. */
  public boolean isHost(Ipv4 address) {
    return contains(address)
        && (prefix >= 31 || (!address.equals(base) && !address.equals(broadcast())));
  }

  public String netmask() {
    return new Ipv4(mask(prefix)).toString();
  }

  @Override
  public String toString() {
    return base + "/" + prefix;
  }
}
