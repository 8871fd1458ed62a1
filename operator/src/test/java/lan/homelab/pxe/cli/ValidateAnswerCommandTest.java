package lan.homelab.pxe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateAnswerCommandTest {
  static final String VALID =
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

  @TempDir Path dir;

  private String file(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f.toString();
  }

  @Test
  void shouldPrintValidAndExitZeroWhenEveryFileIsValid() throws IOException {
    String a = file("a.toml", VALID);
    String b = file("b.toml", VALID.replace("de\"\ncountry", "fr\"\ncountry"));
    CliRun run = CliRun.of("validate-answer", a, b);
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo(a + ": valid\n" + b + ": valid\n");
  }

  @Test
  void shouldPrintTheReasonAndExitNonZeroWhenOneFileIsInvalid() throws IOException {
    String good = file("good.toml", VALID);
    String bad = file("bad.toml", VALID.replace("12345678", "1234567"));
    CliRun run = CliRun.of("validate-answer", good, bad);
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out().lines())
        .containsExactly(
            good + ": valid",
            bad
                + ": invalid: global.root-password: `global.root-password` must be at least 8"
                + " characters long");
  }

  @Test
  void shouldPrintFileNamesAsGiven() throws IOException {
    file("rel.toml", VALID);
    CliRun run = CliRun.of("validate-answer", dir.resolve("./rel.toml").toString());
    assertThat(run.out()).startsWith(dir + "/./rel.toml: valid");
  }

  @Test
  void shouldUseTheRequestedInstallerVersion() throws IOException {
    String kebab = file("kebab.toml", VALID);
    CliRun run = CliRun.of("validate-answer", "--installer-version", "8.3", kebab);
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains(kebab + ": invalid: ").contains("unknown field `root-password`");
  }

  @Test
  void shouldReportAMissingFileAsInvalid() {
    CliRun run = CliRun.of("validate-answer", dir.resolve("nope.toml").toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith(dir.resolve("nope.toml") + ": invalid: cannot read the file");
  }

  @Test
  void shouldRejectAnUnknownInstallerVersionAsAUsageError() throws IOException {
    CliRun run = CliRun.of("validate-answer", "--installer-version", "7.4", file("a.toml", VALID));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("must be one of 8.2, 8.3, 8.4, 9.0, 9.1, 9.2");
  }

  @Test
  void shouldRequireAtLeastOneFile() {
    assertThat(CliRun.of("validate-answer").exitCode()).isEqualTo(2);
  }
}
