package lan.homelab.pxe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import lan.homelab.pxe.answer.AnswerValidator;
import lan.homelab.pxe.answer.InstallerVersion;
import lan.homelab.pxe.answer.RootPasswords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

class RenderAnswerCommandTest {
  static final String TEMPLATE =
      """
      [global]
      keyboard = "de"
      country = "at"
      timezone = "Europe/Vienna"
      mailto = "admin@homelab.lan"

      [disk-setup]
      filesystem = "zfs"
      disk-list = ["sda", "sdb"]
      zfs.raid = "raid1"
      """;

  static final String SLOT =
      """
      apiVersion: pxe.homelab.lan/v1alpha1
      kind: ProvisioningSlot
      metadata:
        name: peach-beach
      spec:
        address: 10.11.0.2
        hostname: peach-beach
        answer:
          overrides: |
            [disk-setup]
            filesystem = "ext4"
            disk-list = ["nvme0n1"]
          extraRootSshKeys:
            - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIpeach ops@peach-beach
      """;

  @TempDir Path dir;

  private String file(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f.toString();
  }

  private static TomlParseResult toml(String text) {
    TomlParseResult parsed = Toml.parse(text);
    assertThat(parsed.errors()).isEmpty();
    return parsed;
  }

  @Test
  void shouldPrintTheAnswerTheSlotsMachineWouldGet() throws IOException {
    CliRun run =
        CliRun.of(
            "render-answer",
            "--template",
            file("t.toml", TEMPLATE),
            "--slot",
            file("slot.yaml", SLOT),
            "--mac",
            "52-54-00-12-34-56");
    assertThat(run.exitCode()).as(run.err()).isZero();
    TomlParseResult answer = toml(run.out());
    assertThat(answer.getString("global.fqdn")).isEqualTo("peach-beach.homelab.lan");
    assertThat(answer.getString("network.cidr")).isEqualTo("10.11.0.2/22");
    assertThat(answer.getString("network.gateway")).isEqualTo("10.11.0.1");
    assertThat(answer.getString("network.filter.ID_NET_NAME_MAC")).isEqualTo("*525400123456");
    assertThat(answer.getString("disk-setup.filesystem")).isEqualTo("ext4");
    assertThat(answer.getArray("global.root-ssh-keys").toList()).hasSize(1);
    assertThat(answer.getString("post-installation-webhook.auth-token"))
        .isEqualTo("<token minted at claim>");
    assertThat(run.out())
        .startsWith("# Answer for 52:54:00:12:34:56 (peach-beach, 10.11.0.2), installer 9.2.\n")
        .contains("# post-installation-webhook.auth-token: placeholder")
        .contains("# global.root-password-hashed: placeholder");
    assertThat(AnswerValidator.validate(run.out(), InstallerVersion.V9_2)).isEmpty();
  }

  @Test
  void shouldSpellTheAnswerForTheRequestedInstallerVersion() throws IOException {
    CliRun run =
        CliRun.of(
            "render-answer",
            "--template",
            file("t.toml", TEMPLATE),
            "--mac",
            "52:54:00:12:34:56",
            "--installer-version",
            "8.3");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("disk_list = [\"sda\", \"sdb\"]").doesNotContain("auth");
    assertThat(run.out())
        .contains("# no --slot: placeholder hostname 'example' and address 10.11.0.2");
  }

  @Test
  void shouldTakeTheNetworkFromTheSettingsFile() throws IOException {
    String settings =
        file(
            "settings.yaml",
            "network: 192.168.50.0/24\ngateway: 192.168.50.1\ndns: 192.168.50.53\n"
                + "serverAddress: 192.168.50.1\ndiscoveryPool:\n  start: 192.168.50.200\n  end: 192.168.50.250\n"
                + "domain: lab.example\n");
    String slot = file("slot.yaml", SLOT.replace("10.11.0.2", "192.168.50.7"));
    CliRun run =
        CliRun.of(
            "render-answer",
            "--template",
            file("t.toml", TEMPLATE),
            "--slot",
            slot,
            "--mac",
            "52:54:00:12:34:56",
            "--settings",
            settings);
    assertThat(run.exitCode()).as(run.err()).isZero();
    TomlParseResult answer = toml(run.out());
    assertThat(answer.getString("network.cidr")).isEqualTo("192.168.50.7/24");
    assertThat(answer.getString("network.dns")).isEqualTo("192.168.50.53");
    assertThat(answer.getString("global.fqdn")).isEqualTo("peach-beach.lab.example");
  }

  @Test
  void shouldHashAGivenRootPasswordWithoutPrintingIt() throws IOException {
    String password = file("pw", "a-long-root-password\n");
    CliRun run =
        CliRun.of(
            "render-answer",
            "--template",
            file("t.toml", TEMPLATE),
            "--mac",
            "52:54:00:12:34:56",
            "--root-password-file",
            password);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .doesNotContain("a-long-root-password")
        .doesNotContain("root-password-hashed: placeholder");
    String hash = toml(run.out()).getString("global.root-password-hashed");
    assertThat(RootPasswords.matches("a-long-root-password", hash)).isTrue();
  }

  @Test
  void shouldExitOneAndNameTheProblemsForAnInvalidAnswer() throws IOException {
    CliRun run =
        CliRun.of(
            "render-answer",
            "--template",
            file("t.toml", TEMPLATE + "\n[network]\ngateway = \"10.11.0.254\"\n"),
            "--mac",
            "52:54:00:12:34:56");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("network.gateway").contains("[operator-owned]");
  }

  @Test
  void shouldRejectABadMacAsAUsageError() throws IOException {
    CliRun run =
        CliRun.of("render-answer", "--template", file("t.toml", TEMPLATE), "--mac", "nope");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--mac: not a MAC address: 'nope'");
  }

  @Test
  void shouldRejectAMissingTemplateAsAUsageError() {
    CliRun run =
        CliRun.of(
            "render-answer",
            "--template",
            dir.resolve("none.toml").toString(),
            "--mac",
            "52:54:00:12:34:56");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--template: cannot read");
  }
}
