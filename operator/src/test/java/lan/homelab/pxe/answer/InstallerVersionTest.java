package lan.homelab.pxe.answer;

import static lan.homelab.pxe.answer.InstallerVersion.Feature.FQDN_TABLE;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.INTERFACE_NAME_PINNING;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.NETWORK_SOURCE_REQUIRED;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.ROOT_PASSWORD_HASHED;
import static lan.homelab.pxe.answer.InstallerVersion.Feature.ROOT_PASSWORD_MIN_LENGTH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InstallerVersionTest {
  @Test
  void shouldParseTheSixReleaseLines() {
    assertThat(InstallerVersion.parse("8.2")).isEqualTo(InstallerVersion.V8_2);
    assertThat(InstallerVersion.parse("8.3")).isEqualTo(InstallerVersion.V8_3);
    assertThat(InstallerVersion.parse("8.4")).isEqualTo(InstallerVersion.V8_4);
    assertThat(InstallerVersion.parse("9.0")).isEqualTo(InstallerVersion.V9_0);
    assertThat(InstallerVersion.parse(" 9.1 ")).isEqualTo(InstallerVersion.V9_1);
    assertThat(InstallerVersion.parse("9.2")).isEqualTo(InstallerVersion.V9_2);
  }

  @Test
  void shouldDefaultToTheNewest() {
    assertThat(InstallerVersion.NEWEST).isEqualTo(InstallerVersion.V9_2);
    assertThat(InstallerVersion.values()[InstallerVersion.values().length - 1])
        .isEqualTo(InstallerVersion.NEWEST);
  }

  @Test
  void shouldRejectOtherVersionsListingTheKnownOnes() {
    assertThatThrownBy(() -> InstallerVersion.parse("9.3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8.2, 8.3, 8.4, 9.0, 9.1, 9.2");
    assertThatThrownBy(() -> InstallerVersion.parse(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldWriteKebabCaseFrom84AndSnakeCaseBefore() {
    assertThat(InstallerVersion.V8_3.kebabCase()).isFalse();
    assertThat(InstallerVersion.V8_4.kebabCase()).isTrue();
    AnswerSchema.Field rootPassword = AnswerSchema.GLOBAL.field("root-password");
    assertThat(rootPassword.preferred(InstallerVersion.V8_3)).isEqualTo("root_password");
    assertThat(rootPassword.spellings(InstallerVersion.V8_3)).containsExactly("root_password");
    assertThat(rootPassword.spellings(InstallerVersion.V9_2))
        .containsExactly("root-password", "root_password");
  }

  @Test
  void shouldKeepFirstBootKeysInKebabCaseOn83() {
    AnswerSchema.Field fingerprint = AnswerSchema.FIRST_BOOT.field("cert-fingerprint");
    assertThat(fingerprint.spellings(InstallerVersion.V8_3)).containsExactly("cert-fingerprint");
    assertThat(fingerprint.spellings(InstallerVersion.V8_4))
        .containsExactly("cert-fingerprint", "cert_fingerprint");
  }

  @Test
  void shouldKnowWhenEachFeatureArrived() {
    assertThat(InstallerVersion.V8_2.has(ROOT_PASSWORD_HASHED)).isFalse();
    assertThat(InstallerVersion.V8_3.has(ROOT_PASSWORD_HASHED)).isTrue();
    assertThat(InstallerVersion.V8_3.has(ROOT_PASSWORD_MIN_LENGTH)).isFalse();
    assertThat(InstallerVersion.V8_4.has(ROOT_PASSWORD_MIN_LENGTH)).isTrue();
    assertThat(InstallerVersion.V8_4.has(FQDN_TABLE)).isFalse();
    assertThat(InstallerVersion.V9_0.has(FQDN_TABLE)).isTrue();
    assertThat(InstallerVersion.V9_0.has(INTERFACE_NAME_PINNING)).isFalse();
    assertThat(InstallerVersion.V9_1.has(INTERFACE_NAME_PINNING)).isTrue();
    assertThat(InstallerVersion.V9_1.has(NETWORK_SOURCE_REQUIRED)).isFalse();
    assertThat(InstallerVersion.V9_2.has(NETWORK_SOURCE_REQUIRED)).isTrue();
  }
}
