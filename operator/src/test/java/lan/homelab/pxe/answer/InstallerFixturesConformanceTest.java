package lan.homelab.pxe.answer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The validator agrees with the real installer on the installer's own test data
 * (../shared/fixtures/pve-installer, installer 9.2.7 and 8.3.0).
 */
class InstallerFixturesConformanceTest {
  /**
   * Invalid only because of what DHCP says at install time: the fqdn comes from DHCP, so no static
   * check can reject them (fixtures README).
   */
  private static final List<String> DHCP_DEPENDENT =
      List.of("fqdn_from_dhcp_no_default_domain", "no_fqdn_from_dhcp");

  /** Key and rule each invalid case breaks, as its installer message names them. */
  private static final Map<String, List<String>> EXPECTED =
      Map.of(
          "both_password_and_hashed_set",
              List.of("global.root-password", AnswerRules.ROOT_PASSWORD_ONE_OF),
          "no_root_password_set", List.of("global.root-password", AnswerRules.ROOT_PASSWORD_ONE_OF),
          "btrfs_raid_single_disk", List.of("disk-setup.disk-list", AnswerRules.RAID_MIN_DISKS),
          "zfs_raid_single_disk", List.of("disk-setup.disk-list", AnswerRules.RAID_MIN_DISKS),
          "fqdn_hostname_only", List.of("global.fqdn", AnswerRules.FQDN),
          "network_interface_pinning_overlong_interface_name",
              List.of("network.interface-name-pinning.mapping", AnswerRules.INTERFACE_NAME));

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path fixtures() {
    Path dir =
        Path.of(System.getProperty("pxe.repoRoot", "."))
            .resolve("../shared/fixtures/pve-installer")
            .normalize();
    Assumptions.assumeTrue(
        Files.isDirectory(dir),
        "skipped: installer fixtures not found at " + dir + " (../shared is not checked out here)");
    return dir;
  }

  private static Stream<Path> tomls(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".toml")).sorted().toList().stream();
    }
  }

  private static String name(Path toml) {
    return toml.getFileName().toString().replaceFirst("\\.toml$", "");
  }

  @TestFactory
  Stream<DynamicTest> shouldAcceptEveryValidFixtureOnInstaller92() throws IOException {
    return tomls(fixtures().resolve("valid"))
        .map(
            f ->
                DynamicTest.dynamicTest(
                    name(f),
                    () ->
                        assertThat(
                                AnswerValidator.validate(
                                    Files.readString(f), InstallerVersion.V9_2))
                            .as(f.toString())
                            .isEmpty()));
  }

  @TestFactory
  Stream<DynamicTest> shouldRejectEveryInvalidFixtureWithTheInstallersKeyAndRule()
      throws IOException {
    Path dir = fixtures().resolve("invalid");
    List<Path> cases = tomls(dir).filter(f -> !DHCP_DEPENDENT.contains(name(f))).toList();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(EXPECTED.size());
    return cases.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    name(f),
                    () -> {
                      JsonNode expected = JSON.readTree(dir.resolve(name(f) + ".json").toFile());
                      String installerMessage =
                          (expected.has("error")
                                  ? expected.get("error")
                                  : expected.get("parse-error"))
                              .asText()
                              .replaceFirst("^error parsing answer\\.toml: ", "");
                      List<AnswerProblem> problems =
                          AnswerValidator.validate(Files.readString(f), InstallerVersion.V9_2);
                      assertThat(problems)
                          .as(f + " must be rejected")
                          .anySatisfy(p -> assertThat(p.message()).contains(installerMessage));
                      List<String> keyAndRule = EXPECTED.get(name(f));
                      assertThat(keyAndRule).as("expected key and rule for " + name(f)).isNotNull();
                      assertThat(problems)
                          .anySatisfy(
                              p -> {
                                assertThat(p.key()).isEqualTo(keyAndRule.get(0));
                                assertThat(p.rule()).isEqualTo(keyAndRule.get(1));
                                assertThat(p.message()).contains(installerMessage);
                              });
                    }));
  }

  @Test
  void shouldLeaveOutOnlyTheTwoDhcpDependentCasesWhichAreValidStatically() throws IOException {
    Path dir = fixtures().resolve("invalid");
    for (String name : DHCP_DEPENDENT) {
      assertThat(
              AnswerValidator.validate(
                  Files.readString(dir.resolve(name + ".toml")), InstallerVersion.V9_2))
          .as(name + " is statically fine; only DHCP at install time makes it fail")
          .isEmpty();
    }
  }

  @TestFactory
  Stream<DynamicTest> shouldAcceptTheLegacySnakeCaseSetOnInstaller83() throws IOException {
    return tomls(fixtures().resolve("legacy-8.3/valid"))
        .map(
            f ->
                DynamicTest.dynamicTest(
                    name(f),
                    () ->
                        assertThat(
                                AnswerValidator.validate(
                                    Files.readString(f), InstallerVersion.V8_3))
                            .as(f.toString())
                            .isEmpty()));
  }

  @TestFactory
  Stream<DynamicTest> shouldRejectTheKebabCaseValidSetOnInstaller83() throws IOException {
    return tomls(fixtures().resolve("valid"))
        .map(
            f ->
                DynamicTest.dynamicTest(
                    name(f),
                    () ->
                        assertThat(
                                AnswerValidator.validate(
                                    Files.readString(f), InstallerVersion.V8_3))
                            .as(f.toString())
                            .anySatisfy(
                                p -> assertThat(p.rule()).isEqualTo(AnswerRules.UNKNOWN_FIELD))));
  }

  @Test
  void shouldAcceptTheExampleAnswersOfTheInstallerReport() throws IOException {
    Path examples = fixtures().resolve("../../docs/proxmox-examples").normalize();
    String kebab = Files.readString(examples.resolve("answer.from-answer.kebab.toml"));
    String snake =
        Files.readString(examples.resolve("answer.from-answer.snake-8.3-compatible.toml"));
    for (InstallerVersion v :
        List.of(InstallerVersion.V9_0, InstallerVersion.V9_1, InstallerVersion.V9_2)) {
      assertThat(AnswerValidator.validate(kebab, v)).as("kebab example on " + v).isEmpty();
    }
    for (InstallerVersion v : InstallerVersion.values()) {
      if (v.atLeast(InstallerVersion.V8_3)) {
        assertThat(AnswerValidator.validate(snake, v))
            .as("8.3-compatible example on " + v)
            .isEmpty();
      }
    }
  }

  @Test
  void shouldKnowEveryCountryTimezoneAndKeyboardOfTheIsosLocaleTable() throws IOException {
    JsonNode locales = JSON.readTree(fixtures().resolve("env/locales.json").toFile());
    locales
        .get("country")
        .fieldNames()
        .forEachRemaining(
            country -> assertThat(countryProblems(country)).as("country " + country).isEmpty());
    locales
        .get("cczones")
        .elements()
        .forEachRemaining(
            zones ->
                zones
                    .fieldNames()
                    .forEachRemaining(
                        tz -> assertThat(AnswerValidator.isTimezone(tz)).as(tz).isTrue()));
    List<String> keyboards = iterate(locales.get("kmap").fieldNames());
    assertThat(AnswerSchema.KEYBOARDS).containsExactlyInAnyOrderElementsOf(keyboards);
  }

  private static List<AnswerProblem> countryProblems(String country) {
    return AnswerValidator.validate(
            Answers.replace(Answers.KEBAB, "country", "country = \"" + country + "\""),
            InstallerVersion.V9_2)
        .stream()
        .filter(p -> p.rule().equals(AnswerRules.COUNTRY))
        .toList();
  }

  private static List<String> iterate(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
