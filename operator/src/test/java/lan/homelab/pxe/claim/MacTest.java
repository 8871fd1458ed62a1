package lan.homelab.pxe.claim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "aa:bb:cc:dd:ee:0f",
        "AA:BB:CC:DD:EE:0F",
        "aa-bb-cc-dd-ee-0f",
        "aabb.ccdd.ee0f",
        "AABBCCDDEE0F",
        " aa:bb:cc:dd:ee:0f "
      })
  void shouldStoreEveryCommonNotationInOneNormalForm(String text) {
    Mac mac = Mac.parse(text);

    assertThat(mac.value()).isEqualTo("aa:bb:cc:dd:ee:0f");
    assertThat(mac.objectName()).isEqualTo("aa-bb-cc-dd-ee-0f");
    assertThat(mac.bareHex()).isEqualTo("aabbccddee0f");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "aa:bb:cc:dd:ee",
        "aa:bb:cc:dd:ee:0g",
        "aa:bb-cc:dd:ee:0f",
        "aabbccddee0f00",
        "zz"
      })
  void shouldRefuseWhatIsNotAMac(String text) {
    assertThat(Mac.tryParse(text)).isEmpty();
    assertThatThrownBy(() -> Mac.parse(text)).hasMessageContaining("not a MAC");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bc:24:11", "BC-24-11", "bc2411", "bc:24:11:12:34:56"})
  void shouldMatchPrefixesInAnyNotation(String prefix) {
    assertThat(Mac.parse("bc:24:11:12:34:56").hasPrefix(prefix)).isTrue();
    assertThat(Mac.parse("bc:24:12:12:34:56").hasPrefix(prefix)).isFalse();
  }
}
