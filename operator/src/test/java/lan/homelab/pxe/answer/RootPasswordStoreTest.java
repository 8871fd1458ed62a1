package lan.homelab.pxe.answer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.answer.RootPasswordStore.Outcome;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class RootPasswordStoreTest {
  private static final String NS = "pxe-system";
  private static final String PASSWORD = "Plain-Secret-4-root";

  KubernetesClient client;

  private void userSecret(String key, String value) {
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(Names.SECRET_ROOT_PASSWORD)
            .withNamespace(NS)
            .endMetadata()
            .withData(
                Map.of(
                    key,
                    Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))))
            .build();
    client.resource(secret).createOr(r -> r.update());
  }

  private Secret hashSecret() {
    return client.secrets().inNamespace(NS).withName(Names.SECRET_ROOT_PASSWORD_HASH).get();
  }

  private String resolveHash(InstallerVersion v) {
    Outcome outcome = new RootPasswordStore(client, NS).resolve(v);
    assertThat(outcome).isInstanceOf(Outcome.Ready.class);
    return ((Outcome.Ready) outcome).hash();
  }

  @Test
  void shouldUseAGivenHashAsItIs() {
    userSecret("hash", "$y$j9T$abc$def");
    assertThat(resolveHash(InstallerVersion.V9_2)).isEqualTo("$y$j9T$abc$def");
    assertThat(hashSecret()).isNull();
  }

  @Test
  void shouldHashAPlainPasswordOnceAndKeepTheHash() {
    userSecret("password", PASSWORD);
    String first = resolveHash(InstallerVersion.V9_2);
    assertThat(first).startsWith("$6$");
    assertThat(RootPasswords.matches(PASSWORD, first)).isTrue();
    String version = hashSecret().getMetadata().getResourceVersion();

    assertThat(resolveHash(InstallerVersion.V9_2)).isEqualTo(first);
    assertThat(hashSecret().getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void shouldVerifyAStoredHashOnceAndRememberItWhileNeitherChanges() {
    userSecret("password", PASSWORD);
    String stored = resolveHash(InstallerVersion.V9_2);
    java.util.concurrent.atomic.AtomicInteger verifications =
        new java.util.concurrent.atomic.AtomicInteger();
    RootPasswordStore store =
        new RootPasswordStore(
            client,
            NS,
            Names.SECRET_ROOT_PASSWORD,
            (password, hash) -> {
              verifications.incrementAndGet();
              return RootPasswords.matches(password, hash);
            });

    for (int i = 0; i < 5; i++) {
      assertThat(((Outcome.Ready) store.resolve(InstallerVersion.V9_2)).hash()).isEqualTo(stored);
    }
    assertThat(verifications).hasValue(1);

    userSecret("password", "another-long-password");
    String changed = ((Outcome.Ready) store.resolve(InstallerVersion.V9_2)).hash();
    assertThat(changed).isNotEqualTo(stored);
    assertThat(RootPasswords.matches("another-long-password", changed)).isTrue();
  }

  @Test
  void shouldRehashAStoredHashWithFewerThanTheTargetRounds() {
    userSecret("password", PASSWORD);
    String old = RootPasswords.hash(PASSWORD, "$6$oldsaltoldsalt1");
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_ROOT_PASSWORD_HASH)
                .withNamespace(NS)
                .endMetadata()
                .withData(
                    Map.of(
                        "hash",
                        Base64.getEncoder().encodeToString(old.getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();

    String now = resolveHash(InstallerVersion.V9_2);

    assertThat(now).isNotEqualTo(old).startsWith("$6$rounds=" + RootPasswords.TARGET_ROUNDS + "$");
    assertThat(RootPasswords.matches(PASSWORD, now)).isTrue();
    assertThat(decoded(hashSecret(), "hash")).isEqualTo(now);
  }

  @Test
  void shouldUseButWarnOnceAboutAGivenHashThatIsCheapToGuess() {
    String weak = RootPasswords.hash(PASSWORD, "$6$fewroundsalt");
    userSecret("hash", weak);
    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    RootPasswordStore store = new RootPasswordStore(client, NS);
    try {
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      assertThat(((Outcome.Ready) store.resolve(InstallerVersion.V9_2)).hash()).isEqualTo(weak);
      store.resolve(InstallerVersion.V9_2);
    } finally {
      System.setErr(err);
    }
    String logText = log.toString(StandardCharsets.UTF_8);
    assertThat(logText.lines().filter(l -> l.contains("is weak"))).hasSize(1);
    assertThat(logText).contains("5000 rounds").contains("mkpasswd -m sha-512 -R 400000");
    assertThat(logText).doesNotContain(weak);
  }

  @Test
  void shouldReadTheSecretThatExistingSecretNames() {
    Secret own =
        new SecretBuilder()
            .withNewMetadata()
            .withName("node-root-hash")
            .withNamespace(NS)
            .endMetadata()
            .withData(
                Map.of(
                    "hash",
                    Base64.getEncoder()
                        .encodeToString("$6$rounds=500000$s$h".getBytes(StandardCharsets.UTF_8))))
            .build();
    client.resource(own).create();

    Outcome outcome =
        new RootPasswordStore(client, NS, "node-root-hash").resolve(InstallerVersion.V9_2);

    assertThat(outcome).isEqualTo(new Outcome.Ready("$6$rounds=500000$s$h"));
    assertThat(
            ((Outcome.Unusable)
                    new RootPasswordStore(client, NS, "missing-one").resolve(InstallerVersion.V9_2))
                .reason())
        .contains("Secret missing-one not found");
  }

  @Test
  void shouldRehashWhenThePasswordChanged() {
    userSecret("password", PASSWORD);
    String before = resolveHash(InstallerVersion.V9_2);
    userSecret("password", "another-long-password");
    String after = resolveHash(InstallerVersion.V9_2);
    assertThat(after).isNotEqualTo(before);
    assertThat(RootPasswords.matches("another-long-password", after)).isTrue();
    assertThat(RootPasswords.matches("another-long-password", decoded(hashSecret(), "hash")))
        .isTrue();
  }

  @Test
  void shouldRefuseATooShortPasswordWithoutRevealingIt() {
    userSecret("password", "short7x");
    Outcome outcome = new RootPasswordStore(client, NS).resolve(InstallerVersion.V9_2);
    assertThat(outcome).isInstanceOf(Outcome.Unusable.class);
    assertThat(((Outcome.Unusable) outcome).reason())
        .contains(Names.SECRET_ROOT_PASSWORD)
        .contains("at least 8 characters")
        .doesNotContain("short7x");
    assertThat(hashSecret()).isNull();
  }

  @Test
  void shouldReportAMissingSecret() {
    Outcome outcome = new RootPasswordStore(client, NS).resolve(InstallerVersion.V9_2);
    assertThat(((Outcome.Unusable) outcome).reason()).contains(Names.SECRET_ROOT_PASSWORD);
  }

  @Test
  void shouldRefuseAHashKeyThatIsNoCryptHash() {
    userSecret("hash", PASSWORD);
    Outcome outcome = new RootPasswordStore(client, NS).resolve(InstallerVersion.V9_2);
    assertThat(((Outcome.Unusable) outcome).reason()).doesNotContain(PASSWORD);
  }

  @Test
  void shouldNeverPutThePlainPasswordIntoLogsOrOtherObjects() {
    userSecret("password", PASSWORD);
    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Outcome first;
    Outcome second;
    try {
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      first = new RootPasswordStore(client, NS).resolve(InstallerVersion.V9_2);
      userSecret("password", PASSWORD + "-changed");
      second = new RootPasswordStore(client, NS).resolve(InstallerVersion.V9_2);
    } finally {
      System.setErr(err);
    }
    String logText = log.toString(StandardCharsets.UTF_8);
    assertThat(logText)
        .as("the store's log lines were captured")
        .contains(Names.SECRET_ROOT_PASSWORD_HASH);
    assertThat(logText).doesNotContain(PASSWORD);
    assertThat(first.toString() + second).doesNotContain(PASSWORD);

    List<String> everythingElse = new ArrayList<>();
    for (ConfigMap cm : client.configMaps().inNamespace(NS).list().getItems()) {
      everythingElse.add(Serialization.asYaml(cm));
    }
    for (Secret s : client.secrets().inNamespace(NS).list().getItems()) {
      if (!s.getMetadata().getName().equals(Names.SECRET_ROOT_PASSWORD)) {
        everythingElse.add(Serialization.asYaml(s));
        s.getData().keySet().forEach(k -> everythingElse.add(decoded(s, k)));
      }
    }
    client
        .v1()
        .events()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(e -> everythingElse.add(Serialization.asYaml(e)));
    assertThat(everythingElse).isNotEmpty();
    assertThat(everythingElse).noneMatch(text -> text.contains(PASSWORD));
  }

  private static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
