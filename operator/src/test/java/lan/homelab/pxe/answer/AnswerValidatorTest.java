package lan.homelab.pxe.answer;

import static lan.homelab.pxe.answer.Answers.KEBAB;
import static lan.homelab.pxe.answer.Answers.SNAKE;
import static lan.homelab.pxe.answer.Answers.replace;
import static lan.homelab.pxe.answer.Answers.with;
import static lan.homelab.pxe.answer.Answers.without;
import static lan.homelab.pxe.answer.InstallerVersion.V8_2;
import static lan.homelab.pxe.answer.InstallerVersion.V8_3;
import static lan.homelab.pxe.answer.InstallerVersion.V8_4;
import static lan.homelab.pxe.answer.InstallerVersion.V9_0;
import static lan.homelab.pxe.answer.InstallerVersion.V9_1;
import static lan.homelab.pxe.answer.InstallerVersion.V9_2;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerValidatorTest {
  private static final String FROM_ANSWER =
      replace(
          KEBAB,
          "source",
          "source = \"from-answer\"\ncidr = \"10.11.0.2/22\"\ndns = \"10.11.0.1\"\n"
              + "gateway = \"10.11.0.1\"\nfilter.ID_NET_NAME_MAC = \"*525400123456\"");

  private static void accepted(String toml, InstallerVersion v) {
    assertThat(AnswerValidator.validate(toml, v)).as(toml).isEmpty();
  }

  private static AnswerProblem rejected(String toml, InstallerVersion v, String key, String rule) {
    List<AnswerProblem> problems = AnswerValidator.validate(toml, v);
    assertThat(problems)
        .as(toml)
        .anySatisfy(
            p -> {
              assertThat(p.key()).isEqualTo(key);
              assertThat(p.rule()).isEqualTo(rule);
            });
    return problems.stream()
        .filter(p -> p.key().equals(key) && p.rule().equals(rule))
        .findFirst()
        .orElseThrow();
  }

  private static String disk(String lines) {
    String t = without(without(KEBAB, "filesystem"), "disk-list");
    return with(t, "disk-setup", lines);
  }

  @Test
  void shouldAcceptTheMinimalAnswerInBothSpellingsFrom84() {
    accepted(KEBAB, V8_4);
    accepted(KEBAB, V9_2);
    accepted(replace(SNAKE, "root_password", "root_password = \"12345678\""), V9_2);
  }

  @Test
  void shouldReportTomlSyntaxErrors() {
    rejected("[global\nkeyboard = \"de\"", V9_2, "toml", AnswerRules.TOML_SYNTAX);
  }

  @Test
  void shouldRejectAnUnknownKeyListingTheKnownOnes() {
    AnswerProblem p =
        rejected(
            with(KEBAB, "global", "hostname = \"x\""),
            V9_2,
            "global.hostname",
            AnswerRules.UNKNOWN_FIELD);
    assertThat(p.message()).startsWith("unknown field `hostname`, expected one of `country`");
    rejected(with(KEBAB, "extra", "a = 1"), V9_2, "extra", AnswerRules.UNKNOWN_FIELD);
  }

  @Test
  void shouldRejectKebabCaseKeysOnInstaller83() {
    AnswerProblem p = rejected(KEBAB, V8_3, "global.root-password", AnswerRules.UNKNOWN_FIELD);
    assertThat(p.message()).contains("installer 8.3 spells it `root_password`");
    rejected(KEBAB, V8_3, "disk-setup.disk-list", AnswerRules.UNKNOWN_FIELD);
  }

  @Test
  void shouldAcceptSnakeCaseKeysOn83AndLater() {
    accepted(SNAKE, V8_3);
    accepted(SNAKE, V8_2);
    accepted(replace(SNAKE, "root_password", "root_password = \"12345678\""), V9_2);
  }

  @Test
  void shouldTakeFirstBootKeysInKebabCaseOnlyOn83() {
    String firstBoot =
        with(
            SNAKE,
            "first-boot",
            "source = \"from-url\"\nurl = \"http://x/fb\"\ncert-fingerprint = \"AB:CD\"");
    accepted(firstBoot, V8_3);
    rejected(
        firstBoot.replace("cert-fingerprint", "cert_fingerprint"),
        V8_3,
        "first-boot.cert_fingerprint",
        AnswerRules.UNKNOWN_FIELD);
  }

  @Test
  void shouldRejectTheSameKeyGivenInBothSpellings() {
    AnswerProblem p =
        rejected(
            with(KEBAB, "global", "root_password = \"abcdefgh\""),
            V9_2,
            "global.root-password",
            AnswerRules.DUPLICATE_FIELD);
    assertThat(p.message()).isEqualTo("duplicate field `root-password`");
    rejected(
        with(KEBAB, "global", "reboot-on-error = 1\nreboot_on_error = true"),
        V9_2,
        "global.reboot-on-error",
        AnswerRules.DUPLICATE_FIELD);
  }

  @Test
  void shouldRejectMissingRequiredKeys() {
    for (String key : List.of("keyboard", "country", "fqdn", "mailto", "timezone")) {
      AnswerProblem p =
          rejected(without(KEBAB, key), V9_2, "global." + key, AnswerRules.MISSING_FIELD);
      assertThat(p.message()).isEqualTo("missing field `" + key + "`");
    }
    rejected(
        without(KEBAB, "filesystem"), V9_2, "disk-setup.filesystem", AnswerRules.MISSING_FIELD);
    rejected(
        KEBAB.replace("[network]\nsource = \"from-dhcp\"\n", ""),
        V9_2,
        "network",
        AnswerRules.MISSING_FIELD);
    rejected(
        with(KEBAB, "post-installation-webhook", "cert-fingerprint = \"AB\""),
        V9_2,
        "post-installation-webhook.url",
        AnswerRules.MISSING_FIELD);
    rejected(
        with(KEBAB, "first-boot", "ordering = \"fully-up\""),
        V9_2,
        "first-boot.source",
        AnswerRules.MISSING_FIELD);
  }

  @Test
  void shouldRejectAValueOfTheWrongType() {
    AnswerProblem p =
        rejected(
            with(KEBAB, "global", "reboot-on-error = \"yes\""),
            V9_2,
            "global.reboot-on-error",
            AnswerRules.INVALID_TYPE);
    assertThat(p.message()).isEqualTo("invalid type: string, expected a boolean");
    rejected(
        with(KEBAB, "global", "root-ssh-keys = \"ssh-ed25519 AAAA\""),
        V9_2,
        "global.root-ssh-keys",
        AnswerRules.INVALID_TYPE);
    rejected(
        disk("filesystem = \"zfs\"\nzfs.raid = \"raid0\"\nzfs.ashift = -1\ndisk-list = [\"sda\"]"),
        V9_2,
        "disk-setup.zfs.ashift",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldAcceptOnlyTheInstallersKeyboards() {
    accepted(replace(KEBAB, "keyboard", "keyboard = \"fr-ch\""), V9_2);
    AnswerProblem p =
        rejected(
            replace(KEBAB, "keyboard", "keyboard = \"us\""),
            V9_2,
            "global.keyboard",
            AnswerRules.INVALID_VALUE);
    assertThat(p.message()).startsWith("unknown variant `us`, expected one of `de`, `de-ch`");
  }

  @Test
  void shouldAcceptOnlyKnownFilesystems() {
    rejected(
        replace(KEBAB, "filesystem", "filesystem = \"ntfs\""),
        V9_2,
        "disk-setup.filesystem",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldAcceptOnlyKnownRaidLevels() {
    accepted(
        disk(
            "filesystem = \"zfs\"\nzfs.raid = \"raidz-1\"\ndisk-list = [\"sda\", \"sdb\", \"sdc\"]"),
        V9_2);
    rejected(
        disk("filesystem = \"zfs\"\nzfs.raid = \"raid5\"\ndisk-list = [\"sda\"]"),
        V9_2,
        "disk-setup.zfs.raid",
        AnswerRules.INVALID_VALUE);
    rejected(
        disk("filesystem = \"btrfs\"\nbtrfs.raid = \"raidz-1\"\ndisk-list = [\"sda\"]"),
        V9_2,
        "disk-setup.btrfs.raid",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldAcceptUpperCaseRaidLevelsOnlyFrom84() {
    String upper =
        disk("filesystem = \"zfs\"\nzfs.raid = \"RAID1\"\ndisk-list = [\"sda\", \"sdb\"]");
    accepted(upper, V8_4);
    accepted(upper, V9_2);
    AnswerProblem p =
        rejected(
            upper.replace("disk-list", "disk_list"),
            V8_3,
            "disk-setup.zfs.raid",
            AnswerRules.INVALID_VALUE);
    assertThat(p.message()).contains("8.3.3");
  }

  @Test
  void shouldCheckZfsChecksumAndCompressValues() {
    String zfs = "filesystem = \"zfs\"\nzfs.raid = \"raid0\"\ndisk-list = [\"sda\"]\n";
    accepted(disk(zfs + "zfs.checksum = \"sha256\"\nzfs.compress = \"zstd\""), V9_2);
    rejected(
        disk(zfs + "zfs.checksum = \"md5\""),
        V9_2,
        "disk-setup.zfs.checksum",
        AnswerRules.INVALID_VALUE);
    rejected(
        disk(zfs + "zfs.compress = \"zlib\""),
        V9_2,
        "disk-setup.zfs.compress",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldCheckBtrfsCompressValues() {
    String btrfs = "filesystem = \"btrfs\"\nbtrfs.raid = \"raid0\"\ndisk-list = [\"sda\"]\n";
    accepted(disk(btrfs + "btrfs.compress = \"zlib\""), V9_2);
    rejected(
        disk(btrfs + "btrfs.compress = \"lz4\""),
        V9_2,
        "disk-setup.btrfs.compress",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldCheckRebootModeValuesAndKnowItOnlyFrom90() {
    accepted(with(KEBAB, "global", "reboot-mode = \"power-off\""), V9_0);
    rejected(
        with(KEBAB, "global", "reboot-mode = \"halt\""),
        V9_2,
        "global.reboot-mode",
        AnswerRules.INVALID_VALUE);
    AnswerProblem p =
        rejected(
            with(KEBAB, "global", "reboot-mode = \"reboot\""),
            V8_4,
            "global.reboot-mode",
            AnswerRules.UNKNOWN_FIELD);
    assertThat(p.message()).contains("not accepted by every 8.4 installer; by 9.0 and newer it is");
  }

  @Test
  void shouldCheckFirstBootSourceAndOrdering() {
    accepted(
        with(KEBAB, "first-boot", "source = \"from-iso\"\nordering = \"network-online\""), V9_2);
    rejected(
        with(KEBAB, "first-boot", "source = \"from-disk\""),
        V9_2,
        "first-boot.source",
        AnswerRules.INVALID_VALUE);
    rejected(
        with(KEBAB, "first-boot", "source = \"from-iso\"\nordering = \"late\""),
        V9_2,
        "first-boot.ordering",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldCheckFilterMatchValues() {
    String filter = "filesystem = \"zfs\"\nzfs.raid = \"raid0\"\nfilter.ID_SERIAL = \"*X*\"\n";
    accepted(disk(filter + "filter-match = \"all\""), V9_2);
    rejected(
        disk(filter + "filter-match = \"some\""),
        V9_2,
        "disk-setup.filter-match",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldCheckNetworkSourceValues() {
    rejected(
        replace(KEBAB, "source", "source = \"static\""),
        V9_2,
        "network.source",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldRequireExactlyOneRootPassword() {
    AnswerProblem none =
        rejected(
            without(KEBAB, "root-password"),
            V9_2,
            "global.root-password",
            AnswerRules.ROOT_PASSWORD_ONE_OF);
    assertThat(none.message())
        .isEqualTo("One of `global.root-password` or `global.root-password-hashed` must be set");
    AnswerProblem both =
        rejected(
            with(KEBAB, "global", "root-password-hashed = \"$6$x$y\""),
            V9_2,
            "global.root-password",
            AnswerRules.ROOT_PASSWORD_ONE_OF);
    assertThat(both.message()).contains("cannot be set at the same time");
    accepted(replace(KEBAB, "root-password", "root-password-hashed = \"$6$x$y\""), V9_2);
  }

  @Test
  void shouldRequireEightCharacterPlainPasswordsFrom84() {
    String short7 = replace(KEBAB, "root-password", "root-password = \"1234567\"");
    AnswerProblem p =
        rejected(short7, V8_4, "global.root-password", AnswerRules.ROOT_PASSWORD_LENGTH);
    assertThat(p.message())
        .isEqualTo("`global.root-password` must be at least 8 characters long")
        .doesNotContain("1234567");
    rejected(short7, V9_2, "global.root-password", AnswerRules.ROOT_PASSWORD_LENGTH);
    accepted(SNAKE, V8_3);
  }

  @Test
  void shouldKnowRootPasswordHashedAndTheWebhookOnlyFrom83() {
    String hashed = replace(SNAKE, "root_password", "root_password_hashed = \"$6$x$y\"");
    accepted(hashed, V8_3);
    rejected(hashed, V8_2, "global.root_password_hashed", AnswerRules.UNKNOWN_FIELD);
    rejected(
        with(SNAKE, "post-installation-webhook", "url = \"http://x/\""),
        V8_2,
        "post-installation-webhook",
        AnswerRules.UNKNOWN_FIELD);
  }

  @Test
  void shouldKnowAuthTokenAndSubscriptionKeyOnlyFrom92() {
    String token =
        with(KEBAB, "post-installation-webhook", "url = \"http://x/\"\nauth-token = \"t\"");
    accepted(token, V9_2);
    rejected(token, V9_1, "post-installation-webhook.auth-token", AnswerRules.UNKNOWN_FIELD);
    String sub = with(KEBAB, "global", "subscription-key = \"pve4c-0123456789\"");
    accepted(sub, V9_2);
    rejected(sub, V9_1, "global.subscription-key", AnswerRules.UNKNOWN_FIELD);
  }

  @Test
  void shouldRequireExactlyOneOfDiskListAndFilter() {
    AnswerProblem none =
        rejected(
            disk("filesystem = \"ext4\""),
            V9_2,
            "disk-setup.disk-list",
            AnswerRules.DISK_SELECTION);
    assertThat(none.message()).isEqualTo("Need either 'disk-list' or 'filter' set");
    AnswerProblem both =
        rejected(
            disk("filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nfilter.ID_SERIAL = \"X\""),
            V9_2,
            "disk-setup.disk-list",
            AnswerRules.DISK_SELECTION);
    assertThat(both.message()).isEqualTo("Cannot use both, 'disk-list' and 'filter'");
  }

  @Test
  void shouldAllowOnlyTheOptionTableOfTheFilesystem() {
    AnswerProblem lvm =
        rejected(
            disk("filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nzfs.raid = \"raid0\""),
            V9_2,
            "disk-setup",
            AnswerRules.FILESYSTEM_OPTIONS);
    assertThat(lvm.message()).isEqualTo("make sure only 'lvm' options are set");
    AnswerProblem zfs =
        rejected(
            disk(
                "filesystem = \"zfs\"\nzfs.raid = \"raid0\"\ndisk-list = [\"sda\"]\nlvm.swapsize = 4"),
            V9_2,
            "disk-setup",
            AnswerRules.FILESYSTEM_OPTIONS);
    assertThat(zfs.message()).isEqualTo("make sure only 'zfs' options are set");
    rejected(
        disk(
            "filesystem = \"btrfs\"\nbtrfs.raid = \"raid0\"\ndisk-list = [\"sda\"]\nzfs.ashift = 12"),
        V9_2,
        "disk-setup",
        AnswerRules.FILESYSTEM_OPTIONS);
  }

  @Test
  void shouldRequireTheRaidLevelForZfsAndBtrfs() {
    AnswerProblem zfs =
        rejected(
            disk("filesystem = \"zfs\"\ndisk-list = [\"sda\"]"),
            V9_2,
            "disk-setup.zfs.raid",
            AnswerRules.RAID_LEVEL_REQUIRED);
    assertThat(zfs.message()).isEqualTo("ZFS raid level 'zfs.raid' must be set");
    rejected(
        disk("filesystem = \"btrfs\"\ndisk-list = [\"sda\"]\nbtrfs.compress = \"zstd\""),
        V9_2,
        "disk-setup.btrfs.raid",
        AnswerRules.RAID_LEVEL_REQUIRED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"raid1:2", "raid10:4", "raidz-1:3", "raidz-2:4", "raidz-3:5"})
  void shouldRequireTheMinimumDiskCountOfTheZfsRaidLevel(String levelAndMin) {
    String level = levelAndMin.split(":")[0];
    int min = Integer.parseInt(levelAndMin.split(":")[1]);
    String disks =
        String.join(
            ", ",
            List.of("\"sda\"", "\"sdb\"", "\"sdc\"", "\"sdd\"", "\"sde\"").subList(0, min - 1));
    AnswerProblem p =
        rejected(
            disk("filesystem = \"zfs\"\nzfs.raid = \"" + level + "\"\ndisk-list = [" + disks + "]"),
            V9_2,
            "disk-setup.disk-list",
            AnswerRules.RAID_MIN_DISKS);
    assertThat(p.message())
        .isEqualTo(
            "ZFS " + level.toUpperCase() + " needs at least " + min + " disks, got " + (min - 1));
    String enough = disks + ", \"sdz\"";
    accepted(
        disk("filesystem = \"zfs\"\nzfs.raid = \"" + level + "\"\ndisk-list = [" + enough + "]"),
        V9_2);
  }

  @Test
  void shouldRequireTheMinimumDiskCountOfTheBtrfsRaidLevel() {
    rejected(
        disk(
            "filesystem = \"btrfs\"\nbtrfs.raid = \"raid10\"\ndisk-list = [\"sda\", \"sdb\", \"sdc\"]"),
        V9_2,
        "disk-setup.disk-list",
        AnswerRules.RAID_MIN_DISKS);
    accepted(disk("filesystem = \"btrfs\"\nbtrfs.raid = \"raid0\"\ndisk-list = [\"sda\"]"), V9_2);
  }

  @Test
  void shouldNotCountDisksSelectedByFilter() {
    accepted(disk("filesystem = \"zfs\"\nzfs.raid = \"raidz-3\"\nfilter.ID_MODEL = \"*\""), V9_2);
  }

  @Test
  void shouldRejectAnOddRaid10DiskCountFrom92() {
    String odd =
        disk(
            "filesystem = \"zfs\"\nzfs.raid = \"raid10\"\ndisk-list = [\"sda\", \"sdb\", \"sdc\", \"sdd\", \"sde\"]");
    AnswerProblem p = rejected(odd, V9_2, "disk-setup.disk-list", AnswerRules.RAID10_EVEN_DISKS);
    assertThat(p.message()).isEqualTo("ZFS RAID10 needs an even number of disks, got 5");
    accepted(odd, V9_1);
    rejected(
        odd.replace("zfs", "btrfs"), V9_2, "disk-setup.disk-list", AnswerRules.RAID10_EVEN_DISKS);
  }

  @Test
  void shouldRejectDuplicateDisks() {
    AnswerProblem p =
        rejected(
            disk("filesystem = \"zfs\"\nzfs.raid = \"raid1\"\ndisk-list = [\"sda\", \"sda\"]"),
            V9_2,
            "disk-setup.disk-list",
            AnswerRules.DUPLICATE_DISK);
    assertThat(p.message()).isEqualTo("List of disks contains duplicate device sda");
  }

  @Test
  void shouldAllowAtMostOneDiskForExt4AndXfs() {
    AnswerProblem p =
        rejected(
            disk("filesystem = \"xfs\"\ndisk-list = [\"sda\", \"sdb\"]"),
            V9_2,
            "disk-setup.disk-list",
            AnswerRules.SINGLE_DISK);
    assertThat(p.message()).isEqualTo("make sure to define only one disk for ext4 and xfs");
  }

  @Test
  void shouldLimitSwapToHalfTheDiskSizeFrom90() {
    String swap =
        disk("filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nlvm.hdsize = 32\nlvm.swapsize = 16.01");
    AnswerProblem p = rejected(swap, V9_0, "disk-setup.lvm.swapsize", AnswerRules.SWAP_SIZE);
    assertThat(p.message())
        .isEqualTo("Swap size 16.01 GiB cannot be greater than 16 GiB (hard disk size / 2)");
    accepted(swap, V8_4);
    accepted(swap.replace("16.01", "16"), V9_2);
  }

  @Test
  void shouldCheckCidrShapeAndPrefixRange() {
    accepted(FROM_ANSWER, V9_2);
    accepted(replace(FROM_ANSWER, "cidr", "cidr = \"fd00::5/64\""), V9_2);
    rejected(
        replace(FROM_ANSWER, "cidr", "cidr = \"10.11.0.2/33\""),
        V9_2,
        "network.cidr",
        AnswerRules.CIDR);
    rejected(
        replace(FROM_ANSWER, "cidr", "cidr = \"10.11.0.2\""),
        V9_2,
        "network.cidr",
        AnswerRules.CIDR);
    rejected(
        replace(FROM_ANSWER, "cidr", "cidr = \"10.11.0.256/22\""),
        V9_2,
        "network.cidr",
        AnswerRules.CIDR);
    rejected(
        replace(FROM_ANSWER, "cidr", "cidr = \"fd00::5/129\""),
        V9_2,
        "network.cidr",
        AnswerRules.CIDR);
  }

  @Test
  void shouldCheckDnsAndGatewayAddresses() {
    rejected(
        replace(FROM_ANSWER, "dns", "dns = \"dns.example\""),
        V9_2,
        "network.dns",
        AnswerRules.IP_ADDRESS);
    rejected(
        replace(FROM_ANSWER, "gateway", "gateway = \"10.11.0\""),
        V9_2,
        "network.gateway",
        AnswerRules.IP_ADDRESS);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"foobar", "123.example.com", "-a.example.com", "a_b.example.com", "a..b", "a.b-"})
  void shouldRejectWhatIsNotAnFqdn(String fqdn) {
    AnswerProblem p =
        rejected(
            replace(KEBAB, "fqdn", "fqdn = \"" + fqdn + "\""),
            V9_2,
            "global.fqdn",
            AnswerRules.FQDN);
    assertThat(p.message()).startsWith(AnswerValidator.FQDN_MESSAGE);
  }

  @Test
  void shouldRejectOverlongFqdnLabels() {
    rejected(
        replace(KEBAB, "fqdn", "fqdn = \"" + "a".repeat(64) + ".lan\""),
        V9_2,
        "global.fqdn",
        AnswerRules.FQDN);
    rejected(
        replace(KEBAB, "fqdn", "fqdn = \"" + "abcdefghi.".repeat(26) + "lan\""),
        V9_2,
        "global.fqdn",
        AnswerRules.FQDN);
    accepted(replace(KEBAB, "fqdn", "fqdn = \"node-1.a1.homelab.lan\""), V9_2);
  }

  @Test
  void shouldAcceptTheFqdnTableOnlyFrom90() {
    String table =
        replace(KEBAB, "fqdn", "fqdn.source = \"from-dhcp\"\nfqdn.domain = \"custom.local\"");
    accepted(table, V9_0);
    rejected(table, V8_4, "global.fqdn", AnswerRules.FQDN);
    rejected(
        replace(table, "fqdn.source", "fqdn.source = \"from-answer\""),
        V9_2,
        "global.fqdn.source",
        AnswerRules.INVALID_VALUE);
  }

  @Test
  void shouldRequireTheNetworkSourceFrom92() {
    String noSource = KEBAB.replace("source = \"from-dhcp\"\n", "");
    rejected(noSource, V9_2, "network.source", AnswerRules.MISSING_FIELD);
    accepted(noSource, V9_1);
  }

  @Test
  void shouldRejectStaticNetworkKeysWithFromDhcp() {
    String dhcp = with(KEBAB, "network", "cidr = \"10.0.0.5/24\"");
    AnswerProblem modern = rejected(dhcp, V9_2, "network.cidr", AnswerRules.NETWORK_FROM_DHCP);
    assertThat(modern.message())
        .isEqualTo("unknown field `cidr`, expected `interface-name-pinning`");
    AnswerProblem old = rejected(dhcp, V9_1, "network.cidr", AnswerRules.NETWORK_FROM_DHCP);
    assertThat(old.message()).isEqualTo("Field 'cidr' not supported for 'from-dhcp' config.");
    rejected(
        with(KEBAB, "network", "filter.ID_NET_NAME = \"eno1\""),
        V9_2,
        "network.filter",
        AnswerRules.NETWORK_FROM_DHCP);
    rejected(
        KEBAB.replace("source = \"from-dhcp\"", "gateway = \"10.0.0.1\""),
        V9_1,
        "network.gateway",
        AnswerRules.NETWORK_FROM_DHCP);
  }

  @Test
  void shouldRequireCidrDnsGatewayAndFilterWithFromAnswer() {
    for (String key : List.of("cidr", "dns", "gateway", "filter")) {
      rejected(without(FROM_ANSWER, key), V9_2, "network." + key, AnswerRules.NETWORK_FROM_ANSWER);
    }
    AnswerProblem p =
        rejected(
            without(FROM_ANSWER, "filter"),
            V9_1,
            "network.filter",
            AnswerRules.NETWORK_FROM_ANSWER);
    assertThat(p.message()).isEqualTo("Field 'filter' must be set.");
  }

  private static String pinning(String mapping) {
    return with(
        KEBAB, "network.interface-name-pinning", "enabled = true\nmapping = { " + mapping + " }");
  }

  @Test
  void shouldKnowInterfaceNamePinningOnlyFrom91() {
    String ok = pinning("\"24:8a:07:1e:05:bc\" = \"lan0\", \"24:8a:07:1e:05:bd\" = \"mgmt\"");
    accepted(ok, V9_1);
    rejected(ok, V9_0, "network.interface-name-pinning", AnswerRules.UNKNOWN_FIELD);
  }

  @Test
  void shouldCheckPinnedInterfaceNameLength() {
    AnswerProblem shortName =
        rejected(
            pinning("\"ab:cd:ef:12:34:56\" = \"a\""),
            V9_2,
            "network.interface-name-pinning.mapping",
            AnswerRules.INTERFACE_NAME);
    assertThat(shortName.message())
        .isEqualTo("interface name for 'ab:cd:ef:12:34:56' must be at least 2 characters long");
    AnswerProblem longName =
        rejected(
            pinning("\"ab:cd:ef:12:34:56\" = \"waytoolonginterfacename\""),
            V9_2,
            "network.interface-name-pinning.mapping",
            AnswerRules.INTERFACE_NAME);
    assertThat(longName.message())
        .isEqualTo(
            "interface name 'waytoolonginterfacename' for 'ab:cd:ef:12:34:56' cannot be longer than 15 characters");
  }

  @Test
  void shouldCheckPinnedInterfaceNameCharacters() {
    for (String bad : List.of("nic-", "0nic", "_a", "12345")) {
      rejected(
          pinning("\"ab:cd:ef:12:34:56\" = \"" + bad + "\""),
          V9_2,
          "network.interface-name-pinning.mapping",
          AnswerRules.INTERFACE_NAME);
    }
    accepted(pinning("\"ab:cd:ef:12:34:56\" = \"Nic0\""), V9_2);
    rejected(
        pinning("\"ab:cd:ef:12:34:56\" = \"Nic0\""),
        V9_1,
        "network.interface-name-pinning.mapping",
        AnswerRules.INTERFACE_NAME);
  }

  @Test
  void shouldRequireUniquePinnedInterfaceNames() {
    AnswerProblem p =
        rejected(
            pinning("\"ab:cd:ef:12:34:56\" = \"nic0\", \"12:34:56:ab:cd:ef\" = \"nic0\""),
            V9_2,
            "network.interface-name-pinning.mapping",
            AnswerRules.INTERFACE_NAME);
    assertThat(p.message()).startsWith("duplicate interface name mapping 'nic0' for: ");
  }

  @Test
  void shouldIgnoreTheMappingWhenPinningIsDisabled() {
    accepted(
        pinning("\"ab:cd:ef:12:34:56\" = \"a\"").replace("enabled = true", "enabled = false"),
        V9_2);
  }

  @Test
  void shouldRequireAUrlForFirstBootFromUrl() {
    AnswerProblem p =
        rejected(
            with(KEBAB, "first-boot", "source = \"from-url\""),
            V9_2,
            "first-boot.url",
            AnswerRules.FIRST_BOOT_URL);
    assertThat(p.message())
        .isEqualTo("first-boot executable source set to URL, but none specified!");
    accepted(
        with(KEBAB, "first-boot", "source = \"from-url\"\nurl = \"http://10.11.0.1:8080/fb\""),
        V9_2);
  }

  @Test
  void shouldAcceptLowerCaseAlpha2CountriesOnly() {
    accepted(replace(KEBAB, "country", "country = \"de\""), V9_2);
    for (String bad : List.of("AT", "aut", "xx", "a")) {
      AnswerProblem p =
          rejected(
              replace(KEBAB, "country", "country = \"" + bad + "\""),
              V9_2,
              "global.country",
              AnswerRules.COUNTRY);
      assertThat(p.message()).startsWith("country code '" + bad + "' is not valid");
    }
  }

  @Test
  void shouldAcceptAreaCityTimezonesAndUtc() {
    accepted(replace(KEBAB, "timezone", "timezone = \"UTC\""), V9_2);
    accepted(replace(KEBAB, "timezone", "timezone = \"America/Argentina/Buenos_Aires\""), V9_2);
    for (String bad : List.of("CET", "Etc/GMT+1", "Europe/Atlantis", "utc", "US/Eastern")) {
      rejected(
          replace(KEBAB, "timezone", "timezone = \"" + bad + "\""),
          V9_2,
          "global.timezone",
          AnswerRules.TIMEZONE);
    }
  }

  @Test
  void shouldCheckTheMailtoShape() {
    accepted(replace(KEBAB, "mailto", "mailto = \"root@localhost\""), V9_2);
    for (String bad : List.of("root", "root@", "a b@example.com", "root@-x.com")) {
      AnswerProblem p =
          rejected(
              replace(KEBAB, "mailto", "mailto = \"" + bad + "\""),
              V9_2,
              "global.mailto",
              AnswerRules.MAILTO);
      assertThat(p.message())
          .isEqualTo("Email does not look like a valid address (user@domain.tld)");
    }
  }

  @Test
  void shouldRejectThePlaceholderMailAddress() {
    AnswerProblem p =
        rejected(
            replace(KEBAB, "mailto", "mailto = \"mail@example.invalid\""),
            V9_2,
            "global.mailto",
            AnswerRules.MAILTO);
    assertThat(p.message()).isEqualTo("Invalid (default) email address");
  }
}
