package lan.homelab.pxe.answer;

import static lan.homelab.pxe.answer.InstallerVersion.Feature.FQDN_TABLE;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.INTERFACE_NAME_ANY_CASE;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.NETWORK_SOURCE_REQUIRED;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.RAID10_EVEN_DISKS;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.ROOT_PASSWORD_MIN_LENGTH;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.SWAP_SIZE_CHECK;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.UPPER_CASE_RAID_LEVELS;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import lan.homelab.pxe.answer.AnswerSchema.Field;
import lan.homelab.pxe.answer.AnswerSchema.Table;

/**
 * Checks an answer file with every rule of the Proxmox auto-installer that does not depend on the
 * machine or on DHCP (schema doc sections 0–6), for one installer release line. Messages use the
 * installer's wording where it has one.
 *
 * <p>Locale knowledge is the project's own, not the ISO's table: a country is a lower-case ISO
 * 3166-1 alpha-2 code the JDK knows, a time zone is {@code UTC} or an Area/Location zone of the
 * JDK's tz database (areas Africa, America, Antarctica, Arctic, Asia, Atlantic, Australia, Europe,
 * Indian, Pacific). Keyboards are the installer's fixed list of 25.
 */
public final class AnswerValidator {
  static final int ROOT_PASSWORD_MIN = 8;
  private static final Pattern EMAIL =
      Pattern.compile(
          "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
              + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$");
  static final String EMAIL_PLACEHOLDER = "mail@example.invalid";
  private static final Pattern FQDN_LABEL =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?");
  private static final String IFNAME_REGEX = "^[a-z][a-z0-9_]{1,20}([:.]\\d+)?$";
  private static final Set<String> COUNTRIES =
      Set.of(Locale.getISOCountries()).stream()
          .map(c -> c.toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());
  private static final Set<String> TZ_AREAS =
      Set.of(
          "Africa",
          "America",
          "Antarctica",
          "Arctic",
          "Asia",
          "Atlantic",
          "Australia",
          "Europe",
          "Indian",
          "Pacific");
  static final String FQDN_MESSAGE =
      "either a fully-qualified domain name or extendend configuration for usage with DHCP must"
          + " be specified";

  private final InstallerVersion v;
  private final List<AnswerProblem> problems = new ArrayList<>();

  /** Known keys given in a spelling or version that does not take them (already reported). */
  private final Set<String> misspelled = new HashSet<>();

  private AnswerValidator(InstallerVersion v) {
    this.v = v;
  }

  /** Every problem the installer of line {@code v} would have with this answer; empty if none. */
  public static List<AnswerProblem> validate(String toml, InstallerVersion v) {
    AnswerTree.Parsed parsed = AnswerTree.parse(toml, "toml");
    if (!parsed.problems().isEmpty()) {
      return parsed.problems();
    }
    return validateTree(parsed.tree(), v);
  }

  static List<AnswerProblem> validateTree(Map<String, Object> tree, InstallerVersion v) {
    AnswerValidator check = new AnswerValidator(v);
    Map<String, Object> answer = check.table(tree, AnswerSchema.ROOT);
    check.global(map(answer.get("global")));
    check.network(map(answer.get("network")));
    check.diskSetup(map(answer.get("disk-setup")));
    check.firstBoot(map(answer.get("first-boot")));
    return List.copyOf(check.problems);
  }

  // ---- structure: known keys, spellings, types, enum values ------------------------------------

  /** Checks keys and types; returns the accepted keys in kebab-case with checked values. */
  private Map<String, Object> table(Map<String, Object> actual, Table spec) {
    Map<String, Object> out = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, Object> e : actual.entrySet()) {
      String key = e.getKey();
      Field f = spec.find(key);
      if (f == null || !f.exists(v) || !f.spellings(v).contains(key)) {
        unknownField(spec, key, f);
        if (f != null) {
          misspelled.add(path(spec, f));
        }
        continue;
      }
      if (!seen.add(f.kebab())) {
        add(path(spec, f), AnswerRules.DUPLICATE_FIELD, "duplicate field `" + f.kebab() + "`");
        continue;
      }
      Object checked = value(spec, f, e.getValue());
      if (checked != null) {
        out.put(f.kebab(), checked);
      }
    }
    for (Field f : spec.fields()) {
      if (f.required() && f.exists(v) && !actual.keySet().stream().anyMatch(f::named)) {
        add(path(spec, f), AnswerRules.MISSING_FIELD, "missing field `" + f.preferred(v) + "`");
      }
    }
    return out;
  }

  private void unknownField(Table spec, String key, Field f) {
    List<String> expected =
        spec.fields().stream().filter(x -> x.exists(v)).map(x -> x.preferred(v)).toList();
    String message =
        "unknown field `"
            + key
            + "`, expected "
            + (expected.size() == 1 ? "" : "one of ")
            + expected.stream().map(x -> "`" + x + "`").collect(Collectors.joining(", "));
    if (f != null && !f.exists(v)) {
      message +=
          " (`"
              + f.kebab()
              + "` is not accepted by every "
              + v
              + " installer; by "
              + f.since()
              + " and newer it is)";
    } else if (f != null) {
      message += " (installer " + v + " spells it `" + f.preferred(v) + "`)";
    }
    add(AnswerTree.join(spec.path(), key), AnswerRules.UNKNOWN_FIELD, message);
  }

  private Object value(Table spec, Field f, Object value) {
    String key = path(spec, f);
    switch (f.type()) {
      case STRING:
        return expect(key, value, String.class, "a string");
      case BOOL:
        return expect(key, value, Boolean.class, "a boolean");
      case INTEGER:
        Long n = expect(key, value, Long.class, "usize");
        if (n != null && n < 0) {
          add(key, AnswerRules.INVALID_VALUE, "invalid value: integer `" + n + "`, expected usize");
          return null;
        }
        return n;
      case FLOAT:
        if (value instanceof Long l) {
          return l.doubleValue();
        }
        return expect(key, value, Double.class, "f64");
      case ENUM:
        String s = expect(key, value, String.class, "a string");
        if (s != null && !f.values().contains(s)) {
          unknownVariant(key, s, f.values(), "");
          return null;
        }
        return s;
      case RAID:
        return raid(key, f, value);
      case STRING_LIST:
        List<?> list = expect(key, value, List.class, "a sequence");
        if (list != null && !list.stream().allMatch(String.class::isInstance)) {
          add(key, AnswerRules.INVALID_TYPE, "invalid type: expected a sequence of strings");
          return null;
        }
        return list;
      case STRING_MAP:
        Map<?, ?> m = expect(key, value, Map.class, "a map");
        if (m != null && !m.values().stream().allMatch(String.class::isInstance)) {
          add(key, AnswerRules.INVALID_TYPE, "invalid type: expected a map of strings");
          return null;
        }
        return m;
      case TABLE:
        Map<?, ?> t = expect(key, value, Map.class, "a table");
        return t == null ? null : table(AnswerTree.cast(t), f.table());
      case FQDN:
        if (value instanceof String) {
          return value;
        }
        if (value instanceof Map<?, ?> table && v.has(FQDN_TABLE)) {
          return table(AnswerTree.cast(table), f.table());
        }
        add(
            key,
            AnswerRules.FQDN,
            FQDN_MESSAGE
                + (value instanceof Map<?, ?>
                    ? " (the table form needs installer 8.4.3; check for " + v + ")"
                    : ""));
        return null;
      default:
        throw new IllegalStateException("unhandled type " + f.type());
    }
  }

  private Object raid(String key, Field f, Object value) {
    String s = expect(key, value, String.class, "a string");
    if (s == null) {
      return null;
    }
    if (f.values().contains(s)) {
      return s;
    }
    String lower = s.toLowerCase(Locale.ROOT);
    if (s.equals(s.toUpperCase(Locale.ROOT)) && f.values().contains(lower)) {
      if (v.has(UPPER_CASE_RAID_LEVELS)) {
        return lower;
      }
      unknownVariant(key, s, f.values(), " (upper-case RAID levels need installer 8.3.3)");
      return null;
    }
    List<String> all = new ArrayList<>(f.values());
    if (v.has(UPPER_CASE_RAID_LEVELS)) {
      f.values().forEach(x -> all.add(x.toUpperCase(Locale.ROOT)));
    }
    unknownVariant(key, s, all, "");
    return null;
  }

  private void unknownVariant(String key, String value, List<String> values, String hint) {
    add(
        key,
        AnswerRules.INVALID_VALUE,
        "unknown variant `"
            + value
            + "`, expected one of "
            + values.stream().map(x -> "`" + x + "`").collect(Collectors.joining(", "))
            + hint);
  }

  private <T> T expect(String key, Object value, Class<T> type, String expected) {
    if (type.isInstance(value)) {
      return type.cast(value);
    }
    add(
        key,
        AnswerRules.INVALID_TYPE,
        "invalid type: " + typeName(value) + ", expected " + expected);
    return null;
  }

  private static String typeName(Object value) {
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Long) {
      return "integer";
    }
    if (value instanceof Double) {
      return "floating point";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof List<?>) {
      return "sequence";
    }
    if (value instanceof Map<?, ?>) {
      return "map";
    }
    return "date-time";
  }

  // ---- [global] --------------------------------------------------------------------------------

  private void global(Map<String, Object> g) {
    if (g == null) {
      return;
    }
    if (g.get("country") instanceof String country && !COUNTRIES.contains(country)) {
      add(
          "global.country",
          AnswerRules.COUNTRY,
          "country code '" + country + "' is not valid (a lower-case ISO 3166-1 alpha-2 code)");
    }
    if (g.get("timezone") instanceof String tz && !isTimezone(tz)) {
      add(
          "global.timezone",
          AnswerRules.TIMEZONE,
          "timezone '" + tz + "' is not valid (UTC or an Area/Location zone like Europe/Vienna)");
    }
    if (g.get("fqdn") instanceof String fqdn) {
      String why = fqdnProblem(fqdn);
      if (why != null) {
        add("global.fqdn", AnswerRules.FQDN, FQDN_MESSAGE + " (" + why + ")");
      }
    }
    if (g.get("mailto") instanceof String mail) {
      if (!EMAIL.matcher(mail).matches()) {
        add(
            "global.mailto",
            AnswerRules.MAILTO,
            "Email does not look like a valid address (user@domain.tld)");
      } else if (mail.equals(EMAIL_PLACEHOLDER)) {
        add("global.mailto", AnswerRules.MAILTO, "Invalid (default) email address");
      }
    }
    boolean plain = g.containsKey("root-password");
    boolean hashed = g.containsKey("root-password-hashed");
    if (plain && hashed) {
      add(
          "global.root-password",
          AnswerRules.ROOT_PASSWORD_ONE_OF,
          "`global.root-password` and `global.root-password-hashed` cannot be set at the same"
              + " time");
    } else if (!plain
        && !hashed
        && !misspelled.contains("global.root-password")
        && !misspelled.contains("global.root-password-hashed")) {
      add(
          "global.root-password",
          AnswerRules.ROOT_PASSWORD_ONE_OF,
          "One of `global.root-password` or `global.root-password-hashed` must be set");
    } else if (plain) {
      String problem = plainPasswordProblem((String) g.get("root-password"), v);
      if (problem != null) {
        add("global.root-password", AnswerRules.ROOT_PASSWORD_LENGTH, problem);
      }
    }
  }

  /** The installer's complaint about a plain root password, or null; never quotes it. */
  static String plainPasswordProblem(String password, InstallerVersion v) {
    // the installer counts bytes (Rust String::len)
    if (v.has(ROOT_PASSWORD_MIN_LENGTH)
        && password.getBytes(StandardCharsets.UTF_8).length < ROOT_PASSWORD_MIN) {
      return "`global.root-password` must be at least " + ROOT_PASSWORD_MIN + " characters long";
    }
    return null;
  }

  static boolean isTimezone(String tz) {
    if (tz.equals("UTC")) {
      return true;
    }
    int slash = tz.indexOf('/');
    return slash > 0
        && TZ_AREAS.contains(tz.substring(0, slash))
        && java.time.ZoneId.getAvailableZoneIds().contains(tz);
  }

  /** Why the text is not an FQDN as proxmox-network-types parses it, or null. */
  static String fqdnProblem(String fqdn) {
    if (fqdn.length() > 253) {
      return "longer than 253 characters";
    }
    String[] labels = fqdn.split("\\.", -1);
    if (labels.length < 2) {
      return "'" + fqdn + "' has no domain: at least two labels are needed";
    }
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63) {
        return "each label needs 1 to 63 characters";
      }
      if (!FQDN_LABEL.matcher(label).matches()) {
        return "label '" + label + "' may hold only letters, digits and inner hyphens";
      }
    }
    if (labels[0].chars().allMatch(Character::isDigit)) {
      return "host name '" + labels[0] + "' is purely numeric";
    }
    return null;
  }

  // ---- [network] -------------------------------------------------------------------------------

  private static final List<String> STATIC_KEYS = List.of("cidr", "dns", "gateway", "filter");

  private void network(Map<String, Object> n) {
    if (n == null) {
      return;
    }
    boolean modern = v.has(NETWORK_SOURCE_REQUIRED);
    String source = (String) n.get("source");
    if (source == null && modern) {
      add("network.source", AnswerRules.MISSING_FIELD, "missing field `source`");
      return;
    }
    if (source == null || source.equals("from-dhcp")) {
      for (String key : STATIC_KEYS) {
        Object value = n.get(key);
        boolean given = value != null && !(value instanceof Map<?, ?> m && m.isEmpty() && !modern);
        if (given) {
          add(
              "network." + key,
              AnswerRules.NETWORK_FROM_DHCP,
              modern
                  ? "unknown field `" + key + "`, expected `interface-name-pinning`"
                  : "Field '" + key + "' not supported for 'from-dhcp' config.");
        }
      }
    } else {
      for (String key : STATIC_KEYS) {
        Object value = n.get(key);
        boolean missing = value == null || (value instanceof Map<?, ?> m && m.isEmpty());
        if (missing) {
          String message;
          if (key.equals("filter")) {
            message =
                modern
                    ? "no filter defined (`network.filter` selects the management NIC)"
                    : "Field 'filter' must be set.";
          } else {
            message = modern ? "missing field `" + key + "`" : "Field '" + key + "' must be set.";
          }
          add("network." + key, AnswerRules.NETWORK_FROM_ANSWER, message);
        }
      }
      if (n.get("cidr") instanceof String cidr && !IpLiterals.isCidr(cidr)) {
        add("network.cidr", AnswerRules.CIDR, "invalid IP address: '" + cidr + "' is no CIDR");
      }
      for (String key : List.of("dns", "gateway")) {
        if (n.get(key) instanceof String ip && !IpLiterals.isAddress(ip)) {
          add("network." + key, AnswerRules.IP_ADDRESS, "invalid IP address syntax: '" + ip + "'");
        }
      }
    }
    pinning(map(n.get("interface-name-pinning")));
  }

  private void pinning(Map<String, Object> p) {
    if (p == null || !Boolean.TRUE.equals(p.get("enabled"))) {
      return;
    }
    Map<String, Object> mapping = map(p.get("mapping"));
    if (mapping == null) {
      return;
    }
    Pattern name =
        v.has(INTERFACE_NAME_ANY_CASE)
            ? Pattern.compile(IFNAME_REGEX, Pattern.CASE_INSENSITIVE)
            : Pattern.compile(IFNAME_REGEX);
    Map<String, String> byName = new TreeMap<>();
    Map<String, String> lowered = new TreeMap<>();
    mapping.forEach((mac, n) -> lowered.put(mac.toLowerCase(Locale.ROOT), (String) n));
    String key = "network.interface-name-pinning.mapping";
    for (Map.Entry<String, String> e : lowered.entrySet()) {
      String mac = e.getKey();
      String ifname = e.getValue();
      if (ifname.length() < 2) {
        add(
            key,
            AnswerRules.INTERFACE_NAME,
            "interface name for '" + mac + "' must be at least 2 characters long");
      } else if (ifname.length() > 15) {
        add(
            key,
            AnswerRules.INTERFACE_NAME,
            "interface name '"
                + ifname
                + "' for '"
                + mac
                + "' cannot be longer than 15 characters");
      } else if (!name.matcher(ifname).matches()) {
        add(
            key,
            AnswerRules.INTERFACE_NAME,
            "interface name '"
                + ifname
                + "' for '"
                + mac
                + "' is invalid: name must start with a letter and contain only ascii characters,"
                + " digits and underscores"
                + (v.has(INTERFACE_NAME_ANY_CASE) ? "" : " (lower case before installer 9.1.3)"));
      } else if (byName.containsKey(ifname)) {
        add(
            key,
            AnswerRules.INTERFACE_NAME,
            "duplicate interface name mapping '"
                + ifname
                + "' for: "
                + mac
                + ", "
                + byName.get(ifname));
      }
      byName.putIfAbsent(ifname, mac);
    }
  }

  // ---- [disk-setup] ----------------------------------------------------------------------------

  private void diskSetup(Map<String, Object> d) {
    if (d == null) {
      return;
    }
    List<?> disks = d.get("disk-list") instanceof List<?> l ? l : List.of();
    Map<String, Object> filter = map(d.get("filter"));
    boolean hasFilter = filter != null && !filter.isEmpty();
    if (disks.isEmpty() && !hasFilter && !misspelled.contains("disk-setup.disk-list")) {
      add(
          "disk-setup.disk-list",
          AnswerRules.DISK_SELECTION,
          "Need either 'disk-list' or 'filter' set");
    } else if (!disks.isEmpty() && hasFilter) {
      add(
          "disk-setup.disk-list",
          AnswerRules.DISK_SELECTION,
          "Cannot use both, 'disk-list' and 'filter'");
    }
    Set<Object> seen = new HashSet<>();
    for (Object disk : disks) {
      if (!seen.add(disk)) {
        add(
            "disk-setup.disk-list",
            AnswerRules.DUPLICATE_DISK,
            "List of disks contains duplicate device " + disk);
        break;
      }
    }
    String fs = (String) d.get("filesystem");
    if (fs == null) {
      return;
    }
    switch (fs) {
      case "ext4", "xfs" -> {
        if (d.containsKey("zfs") || d.containsKey("btrfs")) {
          add("disk-setup", AnswerRules.FILESYSTEM_OPTIONS, "make sure only 'lvm' options are set");
        }
        if (disks.size() > 1) {
          add(
              "disk-setup.disk-list",
              AnswerRules.SINGLE_DISK,
              "make sure to define only one disk for ext4 and xfs");
        }
        lvm(map(d.get("lvm")));
      }
      case "zfs" -> raidSetup(d, "zfs", "ZFS", disks, List.of("lvm", "btrfs"));
      case "btrfs" -> raidSetup(d, "btrfs", "Btrfs", disks, List.of("zfs", "lvm"));
      default -> {
        // an unknown filesystem was already reported as an unknown variant
      }
    }
  }

  private void raidSetup(
      Map<String, Object> d, String fs, String label, List<?> disks, List<String> foreign) {
    if (foreign.stream().anyMatch(d::containsKey)) {
      add(
          "disk-setup",
          AnswerRules.FILESYSTEM_OPTIONS,
          "make sure only '" + fs + "' options are set");
    }
    Map<String, Object> options = map(d.get(fs));
    String raid = options == null ? null : (String) options.get("raid");
    if (raid == null) {
      if (options == null || !problemAt("disk-setup." + fs + ".raid")) {
        add(
            "disk-setup." + fs + ".raid",
            AnswerRules.RAID_LEVEL_REQUIRED,
            label + " raid level '" + fs + ".raid' must be set");
      }
      return;
    }
    if (disks.isEmpty()) {
      return; // a filter selects disks on the machine: nothing to count here
    }
    int min = minDisks(raid);
    String level = raid.toUpperCase(Locale.ROOT);
    if (disks.size() < min) {
      add(
          "disk-setup.disk-list",
          AnswerRules.RAID_MIN_DISKS,
          label + " " + level + " needs at least " + min + " disks, got " + disks.size());
    } else if (raid.equals("raid10") && disks.size() % 2 != 0 && v.has(RAID10_EVEN_DISKS)) {
      add(
          "disk-setup.disk-list",
          AnswerRules.RAID10_EVEN_DISKS,
          label + " " + level + " needs an even number of disks, got " + disks.size());
    }
  }

  static int minDisks(String raid) {
    return switch (raid) {
      case "raid1" -> 2;
      case "raid10", "raidz-2" -> 4;
      case "raidz-1" -> 3;
      case "raidz-3" -> 5;
      default -> 1;
    };
  }

  private void lvm(Map<String, Object> lvm) {
    if (lvm == null || !v.has(SWAP_SIZE_CHECK)) {
      return;
    }
    if (lvm.get("swapsize") instanceof Double swap
        && lvm.get("hdsize") instanceof Double hd
        && swap > hd / 2) {
      add(
          "disk-setup.lvm.swapsize",
          AnswerRules.SWAP_SIZE,
          "Swap size "
              + gib(swap)
              + " GiB cannot be greater than "
              + gib(hd / 2)
              + " GiB (hard disk size / 2)");
    }
  }

  private static String gib(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  // ---- [first-boot] ----------------------------------------------------------------------------

  private void firstBoot(Map<String, Object> fb) {
    if (fb != null && "from-url".equals(fb.get("source")) && !fb.containsKey("url")) {
      add(
          "first-boot.url",
          AnswerRules.FIRST_BOOT_URL,
          "first-boot executable source set to URL, but none specified!");
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private boolean problemAt(String key) {
    return problems.stream().anyMatch(p -> p.key().equals(key));
  }

  private static String path(Table spec, Field f) {
    return AnswerTree.join(spec.path(), f.kebab());
  }

  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? AnswerTree.cast(m) : null;
  }

  private void add(String key, String rule, String message) {
    problems.add(new AnswerProblem(key, rule, message));
  }
}
