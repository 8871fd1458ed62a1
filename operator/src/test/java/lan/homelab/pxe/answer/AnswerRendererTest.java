package lan.homelab.pxe.answer;

import static lan.homelab.pxe.answer.Answers.inputs;
import static lan.homelab.pxe.answer.Answers.slot;
import static lan.homelab.pxe.answer.InstallerVersion.V8_2;
import static lan.homelab.pxe.answer.InstallerVersion.V8_3;
import static lan.homelab.pxe.answer.InstallerVersion.V9_1;
import static lan.homelab.pxe.answer.InstallerVersion.V9_2;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import lan.homelab.pxe.api.v1alpha1.SlotAnswer;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

class AnswerRendererTest {
  private static final String TEMPLATE = Golden.read("/answer/template.toml");
  private static final String TEMPLATE_83 = Golden.read("/answer/template-8.3.toml");
  private static final SlotAnswer SLOT =
      slot(
          "[global]\ntimezone = \"UTC\"\n",
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIpeach ops@peach-beach");

  static String rendered(AnswerInputs in) {
    AnswerResult result = AnswerRenderer.render(in);
    assertThat(result).isInstanceOf(AnswerResult.Rendered.class);
    return ((AnswerResult.Rendered) result).toml();
  }

  static List<AnswerProblem> problems(AnswerInputs in) {
    AnswerResult result = AnswerRenderer.render(in);
    assertThat(result).isInstanceOf(AnswerResult.Invalid.class);
    return ((AnswerResult.Invalid) result).problems();
  }

  static TomlParseResult parsed(String toml) {
    TomlParseResult result = Toml.parse(toml);
    assertThat(result.errors()).isEmpty();
    return result;
  }

  @Test
  void shouldRenderTheKebabCaseAnswerFor92() throws IOException {
    String toml = rendered(inputs(TEMPLATE, SLOT, V9_2));
    Golden.assertMatches("/answer/rendered-9.2.toml", toml);
    TomlParseResult answer = parsed(toml);
    assertThat(answer.getString("global.fqdn")).isEqualTo("peach-beach.homelab.lan");
    assertThat(answer.getString("global.root-password-hashed")).isEqualTo(Answers.HASH);
    assertThat(answer.getString("network.source")).isEqualTo("from-answer");
    assertThat(answer.getString("network.cidr")).isEqualTo("10.11.0.2/22");
    assertThat(answer.getString("network.filter.ID_NET_NAME_MAC")).isEqualTo("*525400123456");
    assertThat(answer.getString("post-installation-webhook.auth-token"))
        .isEqualTo("tok3n-for-peach-beach");
    assertThat(answer.getString("disk-setup.zfs.raid")).isEqualTo("raid1");
    assertThat(answer.getLong("disk-setup.zfs.arc-max")).isEqualTo(4096);
  }

  @Test
  void shouldRenderTheSnakeCaseAnswerFor83() throws IOException {
    String toml = rendered(inputs(TEMPLATE_83, SLOT, V8_3));
    Golden.assertMatches("/answer/rendered-8.3.toml", toml);
    TomlParseResult answer = parsed(toml);
    assertThat(answer.getString("global.root_password_hashed")).isEqualTo(Answers.HASH);
    assertThat(answer.getArray("disk-setup.disk_list").toList())
        .containsExactly("nvme0n1", "nvme1n1");
    assertThat(answer.getLong("disk-setup.zfs.arc_max")).isEqualTo(4096);
    assertThat(answer.contains("post-installation-webhook.auth_token")).isFalse();
    assertThat(answer.getString("first-boot.ordering")).isEqualTo("network-online");
  }

  @Test
  void shouldRenderTheSameTextForTheSameInputs() {
    String reordered =
        "[disk-setup]\nzfs.arc-max = 4096\nzfs.compress = \"lz4\"\nzfs.raid = \"raid1\"\n"
            + "disk-list = [\"nvme0n1\", \"nvme1n1\"]\nfilesystem = \"zfs\"\n"
            + TEMPLATE.substring(0, TEMPLATE.indexOf("[disk-setup]"))
            + TEMPLATE.substring(TEMPLATE.indexOf("[first-boot]"));
    String once = rendered(inputs(TEMPLATE, SLOT, V9_2));
    assertThat(rendered(inputs(TEMPLATE, SLOT, V9_2))).isEqualTo(once);
    assertThat(rendered(inputs(reordered, SLOT, V9_2))).isEqualTo(once);
  }

  @Test
  void shouldRenderBuiltInDefaultsWithoutATemplate() {
    TomlParseResult answer = parsed(rendered(inputs(null, null, V9_2)));
    assertThat(answer.getString("global.keyboard")).isEqualTo("en-us");
    assertThat(answer.getString("global.timezone")).isEqualTo("UTC");
    assertThat(answer.getString("disk-setup.filesystem")).isEqualTo("ext4");
  }

  @Test
  void shouldRespellTheTemplateForTheInstallerVersion() {
    String snakeFor92 = rendered(inputs(TEMPLATE_83, null, V9_2));
    assertThat(snakeFor92)
        .contains("disk-list = ")
        .contains("arc-max = ")
        .doesNotContain("reboot_on_error", "disk_list", "arc_max", "root_ssh_keys");
    String kebabFor83 =
        rendered(inputs(TEMPLATE.replaceAll("(?s)\\[network\\].*?\\n\\n", ""), null, V8_3));
    assertThat(kebabFor83).contains("disk_list = ").contains("reboot_on_error = true");
  }

  @Test
  void shouldLetTheTemplateOverrideDefaultsKeyByKey() {
    TomlParseResult answer = parsed(rendered(inputs("[global]\nkeyboard = \"fr\"\n", null, V9_2)));
    assertThat(answer.getString("global.keyboard")).isEqualTo("fr");
    assertThat(answer.getString("global.country")).isEqualTo("us");
  }

  @Test
  void shouldLetSlotOverridesReplaceTemplateValuesAndKeepTheRest() {
    TomlParseResult answer = parsed(rendered(inputs(TEMPLATE, SLOT, V9_2)));
    assertThat(answer.getString("global.timezone")).isEqualTo("UTC");
    assertThat(answer.getString("global.keyboard")).isEqualTo("de");
    assertThat(answer.getString("first-boot.url")).isEqualTo("http://10.11.0.1:8080/first-boot.sh");
  }

  @Test
  void shouldReplaceTheWholeDiskSetupWithTheSlots() {
    SlotAnswer single =
        slot(
            "[disk-setup]\nfilesystem = \"ext4\"\nfilter.ID_SERIAL = \"*S2HRNX*\"\nlvm.swapsize = 8\n");
    TomlParseResult answer = parsed(rendered(inputs(TEMPLATE, single, V9_2)));
    assertThat(answer.getString("disk-setup.filesystem")).isEqualTo("ext4");
    assertThat(answer.getString("disk-setup.filter.ID_SERIAL")).isEqualTo("*S2HRNX*");
    assertThat(answer.contains("disk-setup.zfs")).isFalse();
    assertThat(answer.contains("disk-setup.disk-list")).isFalse();
  }

  @Test
  void shouldAppendTheSlotsExtraSshKeysToTheTemplates() {
    TomlParseResult answer = parsed(rendered(inputs(TEMPLATE, SLOT, V9_2)));
    assertThat(answer.getArray("global.root-ssh-keys").toList())
        .containsExactly(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIadmin admin@rainbow-road",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIpeach ops@peach-beach");
  }

  @Test
  void shouldLeaveAMalformedSshKeyListToTheValidator() {
    List<AnswerProblem> problems =
        problems(inputs("[global]\nroot-ssh-keys = \"ssh-ed25519 AAAA\"\n", SLOT, V9_2));
    assertThat(problems).extracting(AnswerProblem::rule).contains(AnswerRules.INVALID_TYPE);
  }

  @Test
  void shouldNormalizeOverridesGivenInTheOtherSpelling() {
    SlotAnswer snake = slot("[global]\nreboot_on_error = false\n");
    TomlParseResult answer = parsed(rendered(inputs(TEMPLATE, snake, V9_2)));
    assertThat(answer.getBoolean("global.reboot-on-error")).isFalse();
    assertThat(answer.contains("global.reboot_on_error")).isFalse();
  }

  private static AnswerProblem conflict(AnswerInputs in, String key) {
    List<AnswerProblem> problems = problems(in);
    return problems.stream()
        .filter(p -> p.key().equals(key) && p.rule().equals(AnswerRules.OPERATOR_OWNED))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no conflict on " + key + " in " + problems));
  }

  @Test
  void shouldReportAConflictingGatewayFromTheTemplate() {
    AnswerProblem p =
        conflict(inputs("[network]\ngateway = \"10.11.0.254\"\n", null, V9_2), "network.gateway");
    assertThat(p.message())
        .contains("\"10.11.0.1\"")
        .contains("\"10.11.0.254\"")
        .contains("template");
  }

  @Test
  void shouldAcceptAnOwnedKeySetToTheOperatorsValue() {
    rendered(inputs("[network]\ngateway = \"10.11.0.1\"\nsource = \"from-answer\"\n", null, V9_2));
  }

  @Test
  void shouldReportAConflictingFqdnFromTheSlotOverrides() {
    AnswerProblem p =
        conflict(
            inputs(TEMPLATE, slot("[global]\nfqdn = \"other.homelab.lan\"\n"), V9_2),
            "global.fqdn");
    assertThat(p.message()).contains("slot overrides").contains("peach-beach.homelab.lan");
  }

  @Test
  void shouldReportConflictingNetworkSourceCidrDnsAndFilter() {
    conflict(inputs("[network]\nsource = \"from-dhcp\"\n", null, V9_2), "network.source");
    conflict(inputs("[network]\ncidr = \"10.11.0.9/22\"\n", null, V9_2), "network.cidr");
    conflict(inputs("[network]\ndns = \"1.1.1.1\"\n", null, V9_2), "network.dns");
    conflict(inputs("[network]\nfilter.ID_NET_NAME = \"eno1\"\n", null, V9_2), "network.filter");
  }

  @Test
  void shouldReportAConflictingWebhook() {
    conflict(
        inputs("[post-installation-webhook]\nurl = \"http://evil/\"\n", null, V9_2),
        "post-installation-webhook.url");
    conflict(
        inputs("[post-installation-webhook]\ncert-fingerprint = \"AB:CD\"\n", null, V9_2),
        "post-installation-webhook.cert-fingerprint");
    AnswerProblem token =
        conflict(
            inputs("[post-installation-webhook]\nauth-token = \"guess\"\n", null, V9_2),
            "post-installation-webhook.auth-token");
    assertThat(token.message()).doesNotContain("guess");
  }

  @Test
  void shouldReportAPlainRootPasswordInTheTemplateWithoutQuotingIt() {
    AnswerResult result =
        AnswerRenderer.render(inputs("[global]\nroot-password = \"s3cret-plain\"\n", null, V9_2));
    assertThat(result).isInstanceOf(AnswerResult.Invalid.class);
    AnswerProblem p =
        conflict(
            inputs("[global]\nroot-password = \"s3cret-plain\"\n", null, V9_2),
            "global.root-password");
    assertThat(p.message()).contains("pxe-root-password");
    assertThat(result.toString()).doesNotContain("s3cret-plain");
  }

  @Test
  void shouldWriteTheCertificateFingerprintWhenGiven() {
    AnswerInputs base = inputs(null, null, V9_2);
    AnswerInputs https =
        new AnswerInputs(
            null,
            null,
            base.hostname(),
            base.domain(),
            base.address(),
            base.network(),
            base.gateway(),
            base.dns(),
            base.mac(),
            "https://10.11.0.1:8443/webhook/x",
            "tok",
            "AB:CD:EF",
            base.rootPasswordHash(),
            V9_2);
    TomlParseResult answer = parsed(rendered(https));
    assertThat(answer.getString("post-installation-webhook.cert-fingerprint"))
        .isEqualTo("AB:CD:EF");
    assertThat(answer.getString("post-installation-webhook.url"))
        .isEqualTo("https://10.11.0.1:8443/webhook/x");
  }

  @Test
  void shouldWriteTheAuthTokenOnlyFor92() {
    assertThat(
            parsed(rendered(inputs(null, null, V9_2)))
                .contains("post-installation-webhook.auth-token"))
        .isTrue();
    assertThat(
            parsed(rendered(inputs(null, null, V9_1)))
                .contains("post-installation-webhook.auth-token"))
        .isFalse();
  }

  @Test
  void shouldReturnTheValidatorsProblemsForAnInvalidTemplate() {
    List<AnswerProblem> problems = problems(inputs("[global]\nkeyboard = \"us\"\n", null, V9_2));
    assertThat(problems).extracting(AnswerProblem::key).contains("global.keyboard");
  }

  @Test
  void shouldRefuseInstaller82WhichHasNoHashedPasswordNorWebhook() {
    List<AnswerProblem> problems = problems(inputs(null, null, V8_2));
    assertThat(problems)
        .extracting(AnswerProblem::key)
        .contains("global.root_password_hashed", "post-installation-webhook");
  }

  @Test
  void shouldReportTemplateSyntaxErrors() {
    List<AnswerProblem> problems = problems(inputs("[global\n", null, V9_2));
    assertThat(problems)
        .allSatisfy(
            p -> {
              assertThat(p.key()).isEqualTo("template");
              assertThat(p.rule()).isEqualTo(AnswerRules.TOML_SYNTAX);
            });
    assertThat(problems(inputs(null, slot("a = = 1"), V9_2)))
        .extracting(AnswerProblem::key)
        .containsOnly("slot overrides");
  }

  @Test
  void shouldReportAKeyGivenInBothSpellingsInTheTemplate() {
    List<AnswerProblem> problems =
        problems(inputs("[global]\nreboot-on-error = true\nreboot_on_error = false\n", null, V9_2));
    assertThat(problems)
        .anySatisfy(
            p -> {
              assertThat(p.key()).isEqualTo("global.reboot-on-error");
              assertThat(p.rule()).isEqualTo(AnswerRules.DUPLICATE_FIELD);
            });
  }
}
