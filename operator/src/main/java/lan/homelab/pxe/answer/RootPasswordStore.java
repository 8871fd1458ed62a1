package lan.homelab.pxe.answer;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.secrets.SecretValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root password hash every answer carries. Reads the user's Secret {@value
 * Names#SECRET_ROOT_PASSWORD}: key {@code hash} is used as it is; key {@code password} is checked
 * against the installer's rules, hashed (SHA-512 crypt) once and kept in the operator's Secret
 * {@value Names#SECRET_ROOT_PASSWORD_HASH}, which is re-used while the password still matches it
 * (so answers stay the same from one reconcile to the next) and replaced when the password changed.
 * The plain password is never logged, never put into an exception, a message or any object other
 * than the user's Secret.
 */
public final class RootPasswordStore {
  private static final Logger LOG = LoggerFactory.getLogger(RootPasswordStore.class);
  static final String KEY_HASH = "hash";
  static final String KEY_PASSWORD = "password";

  private final KubernetesClient client;
  private final String namespace;

  public RootPasswordStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The hash to write, or why there is none. */
  public sealed interface Outcome {
    /** A crypt(3) hash for {@code root-password-hashed}. */
    record Ready(String hash) implements Outcome {}

    /** No usable root password; {@code reason} names the Secret and the rule, not the password. */
    record Unusable(String reason) implements Outcome {}
  }

  public Outcome resolve(InstallerVersion version) {
    Secret secret =
        client.secrets().inNamespace(namespace).withName(Names.SECRET_ROOT_PASSWORD).get();
    if (secret == null) {
      return new Outcome.Unusable(
          "Secret "
              + Names.SECRET_ROOT_PASSWORD
              + " not found in namespace "
              + namespace
              + ": create it with key '"
              + KEY_HASH
              + "' (a crypt hash) or '"
              + KEY_PASSWORD
              + "'");
    }
    String hash = value(secret, KEY_HASH);
    if (hash != null && !hash.isBlank()) {
      hash = hash.trim();
      if (!hash.startsWith("$") || hash.chars().anyMatch(Character::isWhitespace)) {
        return new Outcome.Unusable(
            "Secret "
                + Names.SECRET_ROOT_PASSWORD
                + " key '"
                + KEY_HASH
                + "' is not a crypt(3) hash like $6$salt$… (mkpasswd -m sha-512)");
      }
      return new Outcome.Ready(hash);
    }
    String password = value(secret, KEY_PASSWORD);
    if (password == null) {
      return new Outcome.Unusable(
          "Secret "
              + Names.SECRET_ROOT_PASSWORD
              + " has neither key '"
              + KEY_HASH
              + "' nor '"
              + KEY_PASSWORD
              + "'");
    }
    List<AnswerProblem> problems = RootPasswords.check(password, version);
    if (!problems.isEmpty()) {
      return new Outcome.Unusable(
          "Secret "
              + Names.SECRET_ROOT_PASSWORD
              + " key '"
              + KEY_PASSWORD
              + "': "
              + problems.stream().map(AnswerProblem::message).collect(Collectors.joining("; ")));
    }
    return new Outcome.Ready(storedHashFor(password));
  }

  private String storedHashFor(String password) {
    var hashSecret =
        client.secrets().inNamespace(namespace).withName(Names.SECRET_ROOT_PASSWORD_HASH);
    Secret existing = hashSecret.get();
    String stored = existing == null ? null : value(existing, KEY_HASH);
    if (RootPasswords.matches(password, stored)) {
      return stored;
    }
    String hash = RootPasswords.hash(password);
    Secret fresh =
        new SecretBuilder()
            .withNewMetadata()
            .withName(Names.SECRET_ROOT_PASSWORD_HASH)
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "pxe-operator")
            .endMetadata()
            .withType("Opaque")
            .withData(Map.of(KEY_HASH, SecretValues.encode(hash)))
            .build();
    if (existing == null) {
      client.resource(fresh).create();
      LOG.info("root password hashed into Secret {}", Names.SECRET_ROOT_PASSWORD_HASH);
    } else {
      existing.setData(Map.of(KEY_HASH, SecretValues.encode(hash)));
      existing.setStringData(null);
      client.resource(existing).update();
      LOG.info("root password changed; Secret {} re-hashed", Names.SECRET_ROOT_PASSWORD_HASH);
    }
    return hash;
  }

  private static String value(Secret secret, String key) {
    return SecretValues.text(secret, key).orElse(null);
  }
}
