package lan.homelab.pxe.answer;

import lan.homelab.pxe.api.v1alpha1.SlotAnswer;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.Ipv4Network;

/** Test answers: a minimal valid answer per spelling, edited line by line, and standard inputs. */
final class Answers {
  static final String KEBAB =
      """
      [global]
      keyboard = "de"
      country = "at"
      fqdn = "pveauto.testinstall"
      mailto = "mail@no.invalid"
      timezone = "Europe/Vienna"
      root-password = "12345678"

      [network]
      source = "from-dhcp"

      [disk-setup]
      filesystem = "ext4"
      disk-list = ["sda"]
      """;

  static final String SNAKE =
      """
      [global]
      keyboard = "de"
      country = "at"
      fqdn = "pveauto.testinstall"
      mailto = "mail@no.invalid"
      timezone = "Europe/Vienna"
      root_password = "123456"

      [network]
      source = "from-dhcp"

      [disk-setup]
      filesystem = "ext4"
      disk_list = ["sda"]
      """;

  static final String HASH =
      "$6$saltsalt$7m0ZSQsIL0mWnUq0e5x3KsqYTRw6H1YpkV8BqSP4z2sc1lF1Ygmn1i4Xz9VJo2o8qk9yQkNRHEBbNM8GbMxyE1";
  static final Mac MAC = Mac.parse("52:54:00:12:34:56");

  private Answers() {}

  /** The text with {@code line} added at the end of {@code [section]} (created when missing). */
  static String with(String toml, String section, String line) {
    String header = "[" + section + "]\n";
    int at = toml.indexOf(header);
    if (at < 0) {
      return toml + "\n" + header + line + "\n";
    }
    int next = toml.indexOf("\n[", at + header.length());
    int insert = next < 0 ? toml.length() : next + 1;
    String before = toml.substring(0, insert);
    if (!before.endsWith("\n")) {
      before += "\n";
    }
    return before + line + "\n" + toml.substring(insert);
  }

  /** The text without the line that starts with {@code prefix}. */
  static String without(String toml, String prefix) {
    StringBuilder out = new StringBuilder();
    boolean found = false;
    for (String line : toml.split("\n", -1)) {
      if (!found && line.startsWith(prefix)) {
        found = true;
        continue;
      }
      out.append(line).append('\n');
    }
    if (!found) {
      throw new IllegalArgumentException("no line starts with " + prefix);
    }
    return out.substring(0, out.length() - 1);
  }

  static String replace(String toml, String prefix, String line) {
    for (String l : toml.split("\n")) {
      if (l.startsWith(prefix)) {
        return toml.replace(l, line);
      }
    }
    throw new IllegalArgumentException("no line starts with " + prefix);
  }

  static AnswerInputs inputs(String template, SlotAnswer slot, InstallerVersion v) {
    return new AnswerInputs(
        template,
        slot,
        "peach-beach",
        "homelab.lan",
        Ipv4.parse("10.11.0.2"),
        Ipv4Network.parse("10.11.0.0/22"),
        Ipv4.parse("10.11.0.1"),
        Ipv4.parse("10.11.0.1"),
        MAC,
        "http://10.11.0.1:8080/webhook/52-54-00-12-34-56",
        "tok3n-for-peach-beach",
        null,
        HASH,
        v);
  }

  static SlotAnswer slot(String overrides, String... extraKeys) {
    SlotAnswer slot = new SlotAnswer();
    slot.setOverrides(overrides);
    slot.setExtraRootSshKeys(extraKeys.length == 0 ? null : java.util.List.of(extraKeys));
    return slot;
  }
}
