package lan.homelab.pxe.claim;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A 48-bit MAC address in its one normal form, {@code aa:bb:cc:dd:ee:ff}. Parses the common
 * notations (colons, dashes, Cisco dots, bare hex, any case).
 */
public record Mac(String value) implements Comparable<Mac> {
  private static final Pattern NORMAL = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");
  private static final Pattern ANY_FORM =
      Pattern.compile(
          "([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}|([0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}"
              + "|[0-9A-Fa-f]{12}|([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}");

  public Mac {
    if (value == null || !NORMAL.matcher(value).matches()) {
      throw new IllegalArgumentException("not a MAC in normal form: " + value);
    }
  }

  /** Parses any common notation; empty when the text is not a MAC. */
  public static Optional<Mac> tryParse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String trimmed = text.trim();
    if (!ANY_FORM.matcher(trimmed).matches()) {
      return Optional.empty();
    }
    String hex = trimmed.replaceAll("[^0-9A-Fa-f]", "").toLowerCase(Locale.ROOT);
    StringBuilder normal = new StringBuilder(17);
    for (int i = 0; i < 12; i += 2) {
      if (i > 0) {
        normal.append(':');
      }
      normal.append(hex, i, i + 2);
    }
    return Optional.of(new Mac(normal.toString()));
  }

  /** Parses any common notation or throws {@link IllegalArgumentException} naming the input. */
  public static Mac parse(String text) {
    return tryParse(text)
        .orElseThrow(() -> new IllegalArgumentException("not a MAC address: '" + text + "'"));
  }

  /** The Kubernetes object name of this machine's NodeInstall: {@code aa-bb-cc-dd-ee-ff}. */
  public String objectName() {
    return value.replace(':', '-');
  }

  /** Twelve lower-case hex digits, as in udev's {@code ID_NET_NAME_MAC=enx<hex>}. */
  public String bareHex() {
    return value.replace(":", "");
  }

  /** Whether this MAC starts with the given prefix, given in any separator style. */
  public boolean hasPrefix(String prefix) {
    String bare = prefix.replaceAll("[^0-9A-Fa-f]", "").toLowerCase(Locale.ROOT);
    return !bare.isEmpty() && bareHex().startsWith(bare);
  }

  @Override
  public int compareTo(Mac other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
