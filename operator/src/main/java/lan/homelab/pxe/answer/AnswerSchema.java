package lan.homelab.pxe.answer;

import static lan.homelab.pxe.answer.InstallerVersion.V8_2;
import static lan.homelab.pxe.answer.InstallerVersion.V8_3;
import static lan.homelab.pxe.answer.InstallerVersion.V9_0;
import static lan.homelab.pxe.answer.InstallerVersion.V9_1;
import static lan.homelab.pxe.answer.InstallerVersion.V9_2;

import java.util.List;

/**
 * The answer file's tables and keys as the installer's types declare them (schema doc sections
 * 1–6): kebab-case name, snake_case alias, value type, first release line, allowed values.
 */
final class AnswerSchema {
  enum Type {
    STRING,
    BOOL,
    INTEGER,
    FLOAT,
    ENUM,
    RAID,
    STRING_LIST,
    STRING_MAP,
    TABLE,
    FQDN
  }

  /** One key of a table. {@code snake} is null when the key has a single spelling. */
  record Field(
      String kebab,
      String snake,
      Type type,
      InstallerVersion since,
      boolean required,
      boolean kebabFromStart,
      List<String> values,
      Table table) {

    /** Spellings this installer line accepts, the one to write first. */
    List<String> spellings(InstallerVersion v) {
      if (snake == null) {
        return List.of(kebab);
      }
      if (v.kebabCase()) {
        return List.of(kebab, snake);
      }
      return List.of(kebabFromStart ? kebab : snake);
    }

    String preferred(InstallerVersion v) {
      return spellings(v).get(0);
    }

    boolean exists(InstallerVersion v) {
      return v.atLeast(since);
    }

    boolean named(String key) {
      return kebab.equals(key) || key.equals(snake);
    }
  }

  /** A table and its keys; {@code path} is dotted kebab-case ("" for the document). */
  record Table(String path, List<Field> fields) {
    Field find(String key) {
      for (Field f : fields) {
        if (f.named(key)) {
          return f;
        }
      }
      return null;
    }

    Field field(String kebab) {
      Field f = find(kebab);
      if (f == null) {
        throw new IllegalArgumentException("no key " + kebab + " in [" + path + "]");
      }
      return f;
    }
  }

  static final List<String> KEYBOARDS =
      List.of(
          "de", "de-ch", "dk", "en-gb", "en-us", "es", "fi", "fr", "fr-be", "fr-ca", "fr-ch", "hu",
          "is", "it", "jp", "lt", "mk", "nl", "no", "pl", "pt", "pt-br", "se", "si", "tr");
  static final List<String> FILESYSTEMS = List.of("ext4", "xfs", "zfs", "btrfs");
  static final List<String> ZFS_RAID =
      List.of("raid0", "raid1", "raid10", "raidz-1", "raidz-2", "raidz-3");
  static final List<String> BTRFS_RAID = List.of("raid0", "raid1", "raid10");

  static final Table FQDN_TABLE =
      new Table(
          "global.fqdn",
          List.of(
              plain("source", Type.ENUM, V9_0, false, List.of("from-dhcp"), null),
              plain("domain", Type.STRING, V9_0, false, null, null)));

  static final Table GLOBAL =
      new Table(
          "global",
          List.of(
              plain("country", Type.STRING, V8_2, true, null, null),
              plain("fqdn", Type.FQDN, V8_2, true, null, FQDN_TABLE),
              plain("keyboard", Type.ENUM, V8_2, true, KEYBOARDS, null),
              plain("mailto", Type.STRING, V8_2, true, null, null),
              plain("timezone", Type.STRING, V8_2, true, null, null),
              aliased("root-password", Type.STRING, V8_2, null),
              aliased("root-password-hashed", Type.STRING, V8_3, null),
              aliased("reboot-on-error", Type.BOOL, V8_2, null),
              aliased("reboot-mode", Type.ENUM, V9_0, List.of("reboot", "power-off")),
              aliased("root-ssh-keys", Type.STRING_LIST, V8_2, null),
              aliased("subscription-key", Type.STRING, V9_2, null)));

  static final Table PINNING =
      new Table(
          "network.interface-name-pinning",
          List.of(
              plain("enabled", Type.BOOL, V9_1, true, null, null),
              plain("mapping", Type.STRING_MAP, V9_1, false, null, null)));

  static final Table NETWORK =
      new Table(
          "network",
          List.of(
              plain("source", Type.ENUM, V8_2, false, List.of("from-dhcp", "from-answer"), null),
              plain("cidr", Type.STRING, V8_2, false, null, null),
              plain("dns", Type.STRING, V8_2, false, null, null),
              plain("gateway", Type.STRING, V8_2, false, null, null),
              plain("filter", Type.STRING_MAP, V8_2, false, null, null),
              // the only multi-word key without a snake_case alias
              plain("interface-name-pinning", Type.TABLE, V9_1, false, null, PINNING)));

  static final Table ZFS =
      new Table(
          "disk-setup.zfs",
          List.of(
              plain("raid", Type.RAID, V8_2, false, ZFS_RAID, null),
              plain("ashift", Type.INTEGER, V8_2, false, null, null),
              aliased("arc-max", Type.INTEGER, V8_2, null),
              plain("checksum", Type.ENUM, V8_2, false, List.of("on", "fletcher4", "sha256"), null),
              plain(
                  "compress",
                  Type.ENUM,
                  V8_2,
                  false,
                  List.of("on", "off", "lzjb", "lz4", "zle", "gzip", "zstd"),
                  null),
              plain("copies", Type.INTEGER, V8_2, false, null, null),
              plain("hdsize", Type.FLOAT, V8_2, false, null, null)));

  static final Table LVM =
      new Table(
          "disk-setup.lvm",
          List.of(
              plain("hdsize", Type.FLOAT, V8_2, false, null, null),
              plain("swapsize", Type.FLOAT, V8_2, false, null, null),
              plain("maxroot", Type.FLOAT, V8_2, false, null, null),
              plain("maxvz", Type.FLOAT, V8_2, false, null, null),
              plain("minfree", Type.FLOAT, V8_2, false, null, null)));

  static final Table BTRFS =
      new Table(
          "disk-setup.btrfs",
          List.of(
              plain("raid", Type.RAID, V8_2, false, BTRFS_RAID, null),
              plain(
                  "compress",
                  Type.ENUM,
                  V8_3,
                  false,
                  List.of("on", "off", "zlib", "lzo", "zstd"),
                  null),
              plain("hdsize", Type.FLOAT, V8_2, false, null, null)));

  static final Table DISK_SETUP =
      new Table(
          "disk-setup",
          List.of(
              plain("filesystem", Type.ENUM, V8_2, true, FILESYSTEMS, null),
              aliased("disk-list", Type.STRING_LIST, V8_2, null),
              plain("filter", Type.STRING_MAP, V8_2, false, null, null),
              aliased("filter-match", Type.ENUM, V8_2, List.of("any", "all")),
              plain("zfs", Type.TABLE, V8_2, false, null, ZFS),
              plain("lvm", Type.TABLE, V8_2, false, null, LVM),
              plain("btrfs", Type.TABLE, V8_2, false, null, BTRFS)));

  static final Table WEBHOOK =
      new Table(
          "post-installation-webhook",
          List.of(
              plain("url", Type.STRING, V8_3, true, null, null),
              aliased("cert-fingerprint", Type.STRING, V8_3, null),
              aliased("auth-token", Type.STRING, V9_2, null)));

  static final Table FIRST_BOOT =
      new Table(
          "first-boot",
          List.of(
              plain("source", Type.ENUM, V8_3, true, List.of("from-iso", "from-url"), null),
              plain(
                  "ordering",
                  Type.ENUM,
                  V8_3,
                  false,
                  List.of("before-network", "network-online", "fully-up"),
                  null),
              plain("url", Type.STRING, V8_3, false, null, null),
              // [first-boot] was kebab-case from the start; the snake alias came with 8.4
              new Field(
                  "cert-fingerprint",
                  "cert_fingerprint",
                  Type.STRING,
                  V8_3,
                  false,
                  true,
                  null,
                  null)));

  static final Table ROOT =
      new Table(
          "",
          List.of(
              plain("global", Type.TABLE, V8_2, true, null, GLOBAL),
              plain("network", Type.TABLE, V8_2, true, null, NETWORK),
              plain("disk-setup", Type.TABLE, V8_2, true, null, DISK_SETUP),
              plain("post-installation-webhook", Type.TABLE, V8_3, false, null, WEBHOOK),
              plain("first-boot", Type.TABLE, V8_3, false, null, FIRST_BOOT)));

  /** Order of the top-level tables in a rendered answer. */
  static final List<String> SECTION_ORDER =
      List.of("global", "network", "disk-setup", "post-installation-webhook", "first-boot");

  private static Field plain(
      String name,
      Type type,
      InstallerVersion since,
      boolean required,
      List<String> values,
      Table table) {
    return new Field(name, null, type, since, required, true, values, table);
  }

  private static Field aliased(
      String kebab, Type type, InstallerVersion since, List<String> values) {
    return new Field(kebab, kebab.replace('-', '_'), type, since, false, false, values, null);
  }

  private AnswerSchema() {}
}
