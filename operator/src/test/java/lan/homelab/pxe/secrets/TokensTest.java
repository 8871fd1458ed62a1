package lan.homelab.pxe.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokensTest {
  @Test
  void shouldMatchOnlyTheExactToken() {
    assertThat(Tokens.matches("abc", "abc")).isTrue();
    assertThat(Tokens.matches("abc", "abcd")).isFalse();
    assertThat(Tokens.matches("abc", "ab")).isFalse();
    assertThat(Tokens.matches("abc", "ABC")).isFalse();
    assertThat(Tokens.matches("abc", "")).isFalse();
    assertThat(Tokens.matches("abc", null)).isFalse();
    assertThat(Tokens.matches(null, "abc")).isFalse();
  }
}
