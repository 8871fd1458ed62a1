package lan.homelab.pxe.answer;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A Proxmox VE auto-installer release line, as the answer-file schema distinguishes them: it
 * decides the key spelling of a rendered answer and which keys and rules the validator applies.
 *
 * <p>Each constant stands for the oldest installer build of its line, so a check never accepts what
 * some installer of that line rejects: {@code 8.2} is the PVE 8.2 ISO (installer 8.2.2–8.2.6, no
 * {@code root-password-hashed}, no webhook); {@code 8.3} is installer 8.3.x (snake_case keys,
 * lower-case RAID levels only, as 8.3.0–8.3.2); {@code 8.4} is 8.4.0–8.4.2 (kebab-case, no {@code
 * reboot-mode} nor {@code fqdn} table, which came in 8.4.3); {@code 9.1} takes interface names in
 * lower case only (case-insensitive from 9.1.3); {@code 9.2} is 9.2.6+ (even disk count for
 * RAID10).
 */
public enum InstallerVersion {
  V8_2("8.2"),
  V8_3("8.3"),
  V8_4("8.4"),
  V9_0("9.0"),
  V9_1("9.1"),
  V9_2("9.2");

  /** The default: the newest release line. */
  public static final InstallerVersion NEWEST = V9_2;

  private final String label;

  InstallerVersion(String label) {
    this.label = label;
  }

  /** Parses "8.2" … "9.2"; throws {@link IllegalArgumentException} listing the accepted values. */
  public static InstallerVersion parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (InstallerVersion v : values()) {
      if (v.label.equals(t) || v.name().toLowerCase(Locale.ROOT).equals(t)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown installer version '" + text + "': must be one of " + labels());
  }

  /** "8.2, 8.3, 8.4, 9.0, 9.1, 9.2". */
  public static String labels() {
    return Arrays.stream(values()).map(v -> v.label).collect(Collectors.joining(", "));
  }

  public String label() {
    return label;
  }

  public boolean atLeast(InstallerVersion other) {
    return compareTo(other) >= 0;
  }

  /** Whether keys are written in kebab-case (8.4+); snake_case before, except in [first-boot]. */
  public boolean kebabCase() {
    return atLeast(V8_4);
  }

  /** Whether the installer of this line knows the feature. */
  public boolean has(Feature feature) {
    return atLeast(feature.since);
  }

  @Override
  public String toString() {
    return label;
  }

  /** Keys and rules that appeared after 8.2, with the first release line that has them. */
  public enum Feature {
    ROOT_PASSWORD_HASHED(V8_3),
    POST_INSTALLATION_WEBHOOK(V8_3),
    FIRST_BOOT(V8_3),
    BTRFS_COMPRESS(V8_3),
    KEBAB_CASE_KEYS(V8_4),
    UPPER_CASE_RAID_LEVELS(V8_4),
    ROOT_PASSWORD_MIN_LENGTH(V8_4),
    REBOOT_MODE(V9_0),
    FQDN_TABLE(V9_0),
    SWAP_SIZE_CHECK(V9_0),
    INTERFACE_NAME_PINNING(V9_1),
    INTERFACE_NAME_ANY_CASE(V9_2),
    SUBSCRIPTION_KEY(V9_2),
    WEBHOOK_AUTH_TOKEN(V9_2),
    NETWORK_SOURCE_REQUIRED(V9_2),
    RAID10_EVEN_DISKS(V9_2);

    private final InstallerVersion since;

    Feature(InstallerVersion since) {
      this.since = since;
    }

    public InstallerVersion since() {
      return since;
    }
  }
}
