package lan.homelab.pxe.answer;

/** Names of the rules an {@link AnswerProblem} can report. */
public final class AnswerRules {
  public static final String TOML_SYNTAX = "toml-syntax";
  public static final String UNKNOWN_FIELD = "unknown-field";
  public static final String DUPLICATE_FIELD = "duplicate-field";
  public static final String MISSING_FIELD = "missing-field";
  public static final String INVALID_TYPE = "invalid-type";
  public static final String INVALID_VALUE = "invalid-value";
  public static final String ROOT_PASSWORD_ONE_OF = "root-password-exactly-one";
  public static final String ROOT_PASSWORD_LENGTH = "root-password-min-length";
  public static final String MAILTO = "mailto";
  public static final String COUNTRY = "country";
  public static final String TIMEZONE = "timezone";
  public static final String FQDN = "fqdn";
  public static final String CIDR = "cidr";
  public static final String IP_ADDRESS = "ip-address";
  public static final String NETWORK_FROM_DHCP = "network-from-dhcp-fields";
  public static final String NETWORK_FROM_ANSWER = "network-from-answer-fields";
  public static final String INTERFACE_NAME = "interface-name";
  public static final String DISK_SELECTION = "disk-selection-exactly-one";
  public static final String FILESYSTEM_OPTIONS = "filesystem-options";
  public static final String RAID_LEVEL_REQUIRED = "raid-level-required";
  public static final String SINGLE_DISK = "single-disk";
  public static final String RAID_MIN_DISKS = "raid-min-disks";
  public static final String RAID10_EVEN_DISKS = "raid10-even-disks";
  public static final String DUPLICATE_DISK = "duplicate-disk";
  public static final String SWAP_SIZE = "swap-size";
  public static final String FIRST_BOOT_URL = "first-boot-url";
  public static final String OPERATOR_OWNED = "operator-owned";
  public static final String ROOT_PASSWORD_SOURCE = "root-password-source";

  private AnswerRules() {}
}
