package lan.homelab.pxe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.answer.InstallerVersion;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {
  @Test
  void shouldDefaultToTheSeedNetwork() {
    OperatorSettings s = OperatorSettings.defaults();

    assertThat(s.network()).hasToString("10.11.0.0/22");
    assertThat(s.gateway()).hasToString("10.11.0.1");
    assertThat(s.serverAddress()).hasToString("10.11.0.1");
    assertThat(s.interfaceName()).isEqualTo("vmbr0");
    assertThat(s.denyList()).containsExactly("bc:24:11");
    assertThat(s.installTimeout()).isEqualTo(Duration.ofMinutes(60));
    assertThat(s.claimPolicy()).isEqualTo(OperatorSettings.ClaimPolicy.automatic);
  }

  @Test
  void shouldReadAnAllowListOfWholeBytePrefixesEmptyByDefault() {
    assertThat(OperatorSettings.defaults().allowList()).isEmpty();
    assertThat(
            OperatorSettings.fromMap(Map.of("allowList", List.of("52:54:00", "B4-2E-99")))
                .allowList())
        .containsExactly("52:54:00", "b4:2e:99");
    assertThatThrownBy(
            () -> OperatorSettings.fromMap(Map.of("allowList", List.of("52:54:0", "52:54-00"))))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining("allowList: entry '52:54:0' is not a MAC prefix of whole bytes")
        .hasMessageContaining("entry '52:54-00'");
  }

  @Test
  void shouldReadNestedAndFlatKeys() {
    OperatorSettings s =
        OperatorSettings.fromMap(
            Map.of(
                "discoveryPool",
                Map.of("start", "10.11.2.10", "end", "10.11.2.20"),
                "installTimeout",
                "90s"));

    assertThat(s.discoveryPoolStart()).hasToString("10.11.2.10");
    assertThat(s.installTimeout()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void shouldNameEveryBadSettingWhenItRefusesToStart() {
    assertThatThrownBy(
            () ->
                OperatorSettings.fromMap(
                    Map.of(
                        "network", "10.11.0.0/33",
                        "gateway", "10.12.0.1",
                        "claimPolicy", "sometimes",
                        "denyList", List.of("not-a-mac"))))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining("network:")
        .hasMessageContaining("claimPolicy:")
        .hasMessageContaining("denyList:");
  }

  @Test
  void shouldRefuseADiscoveryPoolThatHoldsTheGatewayOrLeavesTheNetwork() {
    assertThatThrownBy(
            () ->
                OperatorSettings.fromMap(
                    Map.of("discoveryPool.start", "10.11.0.1", "discoveryPool.end", "10.11.0.9")))
        .hasMessageContaining("discoveryPool: contains 10.11.0.1");
    assertThatThrownBy(() -> OperatorSettings.fromMap(Map.of("discoveryPool.end", "10.11.4.9")))
        .hasMessageContaining("discoveryPool.end: is outside 10.11.0.0/22");
  }

  @Test
  void shouldRefuseAnInstallTimeoutShorterThanOneMinute() {
    for (String tooShort : List.of("0s", "59s", "500ms", "PT0S")) {
      assertThatThrownBy(() -> OperatorSettings.fromMap(Map.of("installTimeout", tooShort)))
          .as(tooShort)
          .isInstanceOf(InvalidSettingsException.class)
          .hasMessageContaining("installTimeout: must be at least 1m");
    }
    assertThat(OperatorSettings.fromMap(Map.of("installTimeout", "1m")).installTimeout())
        .isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void shouldBoundUnclaimedInstallsAt32AndReleaseUnbootedClaimsAfterTenMinutesByDefault() {
    OperatorSettings s = OperatorSettings.defaults();

    assertThat(s.maxUnclaimedInstalls()).isEqualTo(32);
    assertThat(s.unbootedRelease()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.rootPasswordSecret()).isEqualTo("pxe-root-password");
    assertThat(OperatorSettings.fromMap(s.toMap())).isEqualTo(s);
  }

  @Test
  void shouldRefuseANonPositiveBoundAShortUnbootedReleaseAndABadSecretName() {
    assertThatThrownBy(() -> OperatorSettings.fromMap(Map.of("maxUnclaimedInstalls", 0)))
        .hasMessageContaining("maxUnclaimedInstalls: must be 1 or more");
    assertThatThrownBy(() -> OperatorSettings.fromMap(Map.of("unbootedRelease", "59s")))
        .hasMessageContaining("unbootedRelease: must be at least 1m");
    assertThatThrownBy(
            () -> OperatorSettings.fromMap(Map.of("rootPassword.existingSecret", "Bad Name")))
        .hasMessageContaining("rootPassword.existingSecret: is not a Secret name");
    assertThat(
            OperatorSettings.fromMap(Map.of("rootPassword", Map.of("existingSecret", "node-root")))
                .rootPasswordSecret())
        .isEqualTo("node-root");
  }

  @Test
  void shouldHoldTheInstallerVersionAsAVersionOfTheOneKnownList() {
    assertThat(OperatorSettings.fromMap(Map.of("installerVersion", "9.1")).installerVersion())
        .isEqualTo(InstallerVersion.V9_1);
    assertThat(OperatorSettings.defaults().installerVersion()).isEqualTo(InstallerVersion.NEWEST);
    assertThatThrownBy(() -> OperatorSettings.fromMap(Map.of("installerVersion", "9.3")))
        .hasMessageContaining("installerVersion:")
        .hasMessageContaining(InstallerVersion.labels());
  }

  @Test
  void shouldListenOnNginxPorts8080And8443AndServeBootUrlsFromTheHttpOneByDefault() {
    OperatorSettings s = OperatorSettings.defaults();

    assertThat(s.nginxHttpPort()).isEqualTo(8080);
    assertThat(s.nginxHttpsPort()).isEqualTo(8443);
    assertThat(s.bootHttpUrl()).isEqualTo("http://10.11.0.1:8080");
    assertThat(s.webhookUrl()).isEqualTo("http://10.11.0.1:8080");
  }

  @Test
  void shouldDeriveTheDefaultBootHttpUrlFromTheServerAddressAndTheNginxHttpPort() {
    OperatorSettings s =
        OperatorSettings.fromMap(
            Map.of(
                "network", "192.168.8.0/24",
                "gateway", "192.168.8.254",
                "dns", "192.168.8.53",
                "serverAddress", "192.168.8.10",
                "discoveryPool", Map.of("start", "192.168.8.200", "end", "192.168.8.220"),
                "nginxHttpPort", 8180,
                "nginxHttpsPort", 8543));

    assertThat(s.bootHttpUrl()).isEqualTo("http://192.168.8.10:8180");
    assertThat(s.nginxHttpsPort()).isEqualTo(8543);
    assertThat(OperatorSettings.fromMap(s.toMap())).isEqualTo(s);
  }

  @Test
  void shouldRefuseAnNginxPortNginxCannotBindUnprivilegedOrThatIsNoPort() {
    for (String key : List.of("nginxHttpPort", "nginxHttpsPort")) {
      for (int bad : List.of(80, 0, 1024, 70000)) {
        assertThatThrownBy(() -> OperatorSettings.fromMap(Map.of(key, bad)))
            .as(key + "=" + bad)
            .isInstanceOf(InvalidSettingsException.class)
            .hasMessageContaining(key + ": must be 1025..65535")
            .hasMessageContaining("got " + bad);
      }
      assertThatThrownBy(() -> OperatorSettings.fromMap(Map.of(key, "http")))
          .isInstanceOf(InvalidSettingsException.class)
          .hasMessageContaining(key + ":");
      assertThat(OperatorSettings.fromMap(Map.of(key, 1025)).toMap()).containsEntry(key, 1025);
      assertThat(OperatorSettings.fromMap(Map.of(key, 65535)).toMap()).containsEntry(key, 65535);
    }
  }
}
