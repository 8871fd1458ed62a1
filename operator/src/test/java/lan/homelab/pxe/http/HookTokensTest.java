package lan.homelab.pxe.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import lan.homelab.pxe.Names;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class HookTokensTest {
  KubernetesClient client;
  Instant now = Instant.parse("2026-11-26T16:00:00Z");

  final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  void secret(String token) {
    client
        .secrets()
        .inNamespace("pxe-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_DHCP_HOOK)
                .endMetadata()
                .addToData(
                    Names.KEY_TOKEN,
                    Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))
                .build())
        .createOr(op -> op.update());
  }

  @Test
  void shouldBeEmptyWithoutTheSecretAndSeeARotatedTokenAfterTheCacheTime() {
    HookTokens tokens = new HookTokens(client, "pxe-system", clock);
    assertThat(tokens.get()).isEmpty();

    secret("first\n");
    now = now.plus(HookTokens.CACHE);
    assertThat(tokens.get()).contains("first");

    secret("second");
    assertThat(tokens.get()).as("cached").contains("first");
    now = now.plus(HookTokens.CACHE).plus(Duration.ofMillis(1));
    assertThat(tokens.get()).contains("second");
  }

  @Test
  void shouldTreatATokenThatIsNotBase64AsMissing() {
    client
        .secrets()
        .inNamespace("pxe-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_DHCP_HOOK)
                .endMetadata()
                .addToData(Names.KEY_TOKEN, "%%% not base64")
                .build())
        .create();

    assertThat(new HookTokens(client, "pxe-system", clock).get()).isEmpty();
  }
}
