package lan.homelab.pxe.config;

import java.util.Optional;
import java.util.regex.Pattern;

/** An IPv4 address as an unsigned 32-bit number; ordered numerically. */
public record Ipv4(long bits) implements Comparable<Ipv4> {
  private static final Pattern DOTTED =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

  public Ipv4 {
    if (bits < 0 || bits > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("not an IPv4 address: " + bits);
    }
  }

  public static Optional<Ipv4> tryParse(String text) {
    if (text == null || !DOTTED.matcher(text.trim()).matches()) {
      return Optional.empty();
    }
    long bits = 0;
    for (String part : text.trim().split("\\.")) {
      bits = (bits << 8) | Integer.parseInt(part);
    }
    return Optional.of(new Ipv4(bits));
  }

  public static Ipv4 parse(String text) {
    return tryParse(text)
        .orElseThrow(() -> new IllegalArgumentException("not an IPv4 address: '" + text + "'"));
  }

  public Ipv4 plus(long n) {
    return new Ipv4(bits + n);
  }

  @Override
  public int compareTo(Ipv4 other) {
    return Long.compare(bits, other.bits);
  }

  @Override
  public String toString() {
    return ((bits >> 24) & 0xFF)
        + "."
        + ((bits >> 16) & 0xFF)
        + "."
        + ((bits >> 8) & 0xFF)
        + "."
        + (bits & 0xFF);
  }
}
