package lan.homelab.pxe.answer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RootPasswordsTest {
  /** Test vector of the SHA-crypt specification (Drepper), rounds 5000 by default. */
  private static final String VECTOR =
      "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";

  @Test
  void shouldHashWithSha512CryptLikeTheSpecificationsTestVector() {
    assertThat(RootPasswords.hash("Hello world!", "$6$saltstring")).isEqualTo(VECTOR);
  }

  @Test
  void shouldVerifyAPasswordAgainstAStoredHash() {
    assertThat(RootPasswords.matches("Hello world!", VECTOR)).isTrue();
    assertThat(RootPasswords.matches("Hello world?", VECTOR)).isFalse();
    assertThat(RootPasswords.matches("Hello world!", null)).isFalse();
  }

  @Test
  void shouldNotClaimToVerifyHashSchemesItDoesNotKnow() {
    String yescrypt = "$y$j9T$VgMv8lsz/TEvzesCZU3xD.$SK.h4QW51Jr/EmjuaTz5Bt4kYiX2Iezz6omzoqVEwj9";
    assertThat(RootPasswords.matches("12345678", yescrypt)).isFalse();
  }

  @Test
  void shouldUseAFreshRandomSaltForEachHash() {
    String a = RootPasswords.hash("correct horse battery");
    String b = RootPasswords.hash("correct horse battery");
    assertThat(a).startsWith("$6$").isNotEqualTo(b);
    assertThat(a.split("\\$")[3]).as("the salt after rounds=").hasSize(16);
    assertThat(RootPasswords.matches("correct horse battery", a)).isTrue();
    assertThat(RootPasswords.matches("correct horse battery", b)).isTrue();
  }

  @Test
  void shouldHashWithTheTargetRoundsThatMakeOneGuessCostATenthOfASecond() {
    String hash = RootPasswords.hash("correct horse battery");

    assertThat(hash).startsWith("$6$rounds=" + RootPasswords.TARGET_ROUNDS + "$");
    assertThat(RootPasswords.TARGET_ROUNDS).isGreaterThanOrEqualTo(330_000);
    assertThat(RootPasswords.rounds(hash)).hasValue(RootPasswords.TARGET_ROUNDS);
    assertThat(RootPasswords.weakness(hash)).isEmpty();
    assertThat(RootPasswords.matches("correct horse battery", hash)).isTrue();
  }

  @Test
  void shouldCallMd5Sha256DesAndLowRoundSha512HashesWeakButNotSlowSchemes() {
    assertThat(RootPasswords.weakness("$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0"))
        .hasValueSatisfying(w -> assertThat(w).contains("MD5"));
    assertThat(RootPasswords.weakness("$5$rounds=900000$salt$hash"))
        .hasValueSatisfying(w -> assertThat(w).contains("SHA-256"));
    assertThat(RootPasswords.weakness("abJnggxhB/yWI"))
        .hasValueSatisfying(w -> assertThat(w).contains("DES"));
    assertThat(RootPasswords.weakness(VECTOR))
        .hasValueSatisfying(w -> assertThat(w).contains("5000 rounds").contains("-R 400000"));
    assertThat(RootPasswords.weakness("$6$rounds=399999$salt$hash")).isPresent();
    assertThat(RootPasswords.weakness("$6$rounds=400000$salt$hash")).isEmpty();
    assertThat(RootPasswords.weakness("$y$j9T$VgMv8lsz/TEvzesCZU3xD.$SK.h4QW51Jr")).isEmpty();
    assertThat(RootPasswords.rounds(VECTOR)).hasValue(5000);
    assertThat(RootPasswords.rounds("$y$j9T$abc$def")).isEmpty();
  }

  @Test
  void shouldRequireEightCharactersFromInstaller84WithoutQuotingThePassword() {
    assertThat(RootPasswords.check("seven77", InstallerVersion.V8_4))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.rule()).isEqualTo(AnswerRules.ROOT_PASSWORD_LENGTH);
              assertThat(p.message()).contains("at least 8 characters").doesNotContain("seven77");
            });
    assertThat(RootPasswords.check("seven77", InstallerVersion.V8_3)).isEmpty();
    assertThat(RootPasswords.check("eight888", InstallerVersion.V9_2)).isEmpty();
  }

  @Test
  void shouldRejectAnEmptyPasswordOnEveryVersion() {
    assertThat(RootPasswords.check("", InstallerVersion.V8_2)).isNotEmpty();
    assertThat(RootPasswords.check(null, InstallerVersion.V9_2)).isNotEmpty();
  }
}
