package lan.homelab.pxe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.Names;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class HookTokensTest {
  static final String SECRET_PATH =
      "/api/v1/namespaces/pxe-system/secrets/" + Names.SECRET_DHCP_HOOK;

  KubernetesClient client;
  KubernetesMockServer server;
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

  /** A client that does not retry, so each read is one request the server counts. */
  KubernetesClient noRetries() {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build())
        .build();
  }

  @Test
  void shouldAskAnApiThatIsDownAtMostOncePerSecondAndKeepTheLastToken() {
    secret("first");
    try (KubernetesClient oneShot = noRetries()) {
      HookTokens tokens = new HookTokens(oneShot, "pxe-system", clock);
      assertThat(tokens.get()).contains("first");
      server.expect().get().withPath(SECRET_PATH).andReturn(503, "down").always();
      now = now.plus(HookTokens.CACHE);

      int before = server.getRequestCount();
      for (int i = 0; i < 20; i++) {
        assertThat(tokens.get()).contains("first");
      }
      assertThat(server.getRequestCount() - before).as("API requests during the outage").isOne();

      now = now.plus(HookTokens.AFTER_FAILURE);
      assertThat(tokens.get()).contains("first");
      assertThat(server.getRequestCount() - before).isEqualTo(2);
    }
  }

  @Test
  void shouldAnswerFromWhatItKnowsWhileAnotherCallerWaitsForTheApi() throws Exception {
    secret("first");
    HookTokens tokens = new HookTokens(client, "pxe-system", clock);
    assertThat(tokens.get()).contains("first");
    server
        .expect()
        .get()
        .delay(3, TimeUnit.SECONDS)
        .withPath(SECRET_PATH)
        .andReturn(503, "slow")
        .once();
    now = now.plus(HookTokens.CACHE);
    int before = server.getRequestCount();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Optional<String>> waiting = pool.submit(tokens::get);
      await().until(() -> server.getRequestCount() > before);

      assertThat(tokens.get()).contains("first");
      assertThat(waiting).as("the slow read is still in flight").isNotDone();
      assertThat(waiting.get(30, TimeUnit.SECONDS)).contains("first");
    } finally {
      pool.shutdownNow();
    }
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
