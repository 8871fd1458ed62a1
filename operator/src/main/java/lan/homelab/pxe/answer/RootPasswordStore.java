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
 * The root password hash every answer carries. Reads the user's Secret ({@value
 * Names#SECRET_ROOT_PASSWORD}, or the one {@code rootPassword.existingSecret} names): key {@code
 * hash} is used as it is, with a warning in the log (once per hash) when it is cheap to guess
 * ({@link RootPasswords#weakness}); key {@code password} is checked against the installer's rules,
 * hashed (SHA-512 crypt, {@link RootPasswords#TARGET_ROUNDS} rounds) once and kept in the
 * operator's Secret {@value Names#SECRET_ROOT_PASSWORD_HASH}, which is re-used while the password
 * still matches it (so answers stay the same from one reconcile to the next) and replaced when the
 * password changed or the stored hash has fewer rounds than the target (one made by an older
 * version). Verifying costs about as much as one guess, so a successful verification is remembered
 * (a keyed digest of the password with the stored hash) and not repeated while neither changes. The
 * plain password is never logged, never put into an exception, a message or any object other than
 * the user's Secret.
 */
public final class RootPasswordStore {
  private static final Logger LOG = LoggerFactory.getLogger(RootPasswordStore.class);
  static final String KEY_HASH = "hash";
  static final String KEY_PASSWORD = "password";

  private final KubernetesClient client;
  private final String namespace;
  private final String secretName;
  private final java.util.function.BiPredicate<String, String> verifier;
  private final byte[] digestKey = new byte[32];
  private Verified verified;
  private String warnedHash;

  /** A password whose stored hash was verified: the hash and a keyed digest of the password. */
  private record Verified(String storedHash, byte[] passwordDigest) {}

  public RootPasswordStore(KubernetesClient client, String namespace) {
    this(client, namespace, Names.SECRET_ROOT_PASSWORD);
  }

  /**
   * @param secretName the user's Secret to read (key hash or password)
   */
  public RootPasswordStore(KubernetesClient client, String namespace, String secretName) {
    this(client, namespace, secretName, RootPasswords::matches);
  }

  /**
   * @param verifier whether a password produces a stored hash (tests count the calls)
   */
  RootPasswordStore(
      KubernetesClient client,
      String namespace,
      String secretName,
      java.util.function.BiPredicate<String, String> verifier) {
    this.client = client;
    this.namespace = namespace;
    this.secretName = secretName;
    this.verifier = verifier;
    new java.security.SecureRandom().nextBytes(digestKey);
  }

  /** The hash to write, or why there is none. */
  public sealed interface Outcome {
    /** A crypt(3) hash for {@code root-password-hashed}. */
    record Ready(String hash) implements Outcome {}

    /** No usable root password; {@code reason} names the Secret and the rule, not the password. */
    record Unusable(String reason) implements Outcome {}
  }

  public Outcome resolve(InstallerVersion version) {
    Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
    if (secret == null) {
      return new Outcome.Unusable(
          "Secret "
              + secretName
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
                + secretName
                + " key '"
                + KEY_HASH
                + "' is not a crypt(3) hash like $6$salt$… (mkpasswd -m sha-512)");
      }
      warnIfWeak(hash);
      return new Outcome.Ready(hash);
    }
    String password = value(secret, KEY_PASSWORD);
    if (password == null) {
      return new Outcome.Unusable(
          "Secret "
              + secretName
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
              + secretName
              + " key '"
              + KEY_PASSWORD
              + "': "
              + problems.stream().map(AnswerProblem::message).collect(Collectors.joining("; ")));
    }
    return new Outcome.Ready(storedHashFor(password));
  }

  /** Logs, once per hash, that a hash the user gave is cheap to guess (never the hash itself). */
  private synchronized void warnIfWeak(String hash) {
    if (hash.equals(warnedHash)) {
      return;
    }
    warnedHash = hash;
    RootPasswords.weakness(hash)
        .ifPresent(
            why ->
                LOG.warn(
                    "the root password hash in Secret {} key '{}' is weak: {}. Every answer carries"
                        + " it, and anyone who reads one answer can guess at it offline",
                    secretName,
                    KEY_HASH,
                    why));
  }

  private synchronized String storedHashFor(String password) {
    var hashSecret =
        client.secrets().inNamespace(namespace).withName(Names.SECRET_ROOT_PASSWORD_HASH);
    Secret existing = hashSecret.get();
    String stored = existing == null ? null : value(existing, KEY_HASH);
    byte[] digest = digest(password);
    boolean strongEnough =
        stored != null && RootPasswords.rounds(stored).orElse(0) >= RootPasswords.TARGET_ROUNDS;
    if (strongEnough
        && verified != null
        && verified.storedHash().equals(stored)
        && java.security.MessageDigest.isEqual(verified.passwordDigest(), digest)) {
      return stored;
    }
    if (strongEnough && verifier.test(password, stored)) {
      verified = new Verified(stored, digest);
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
      LOG.info(
          "root password changed or its stored hash had fewer than {} rounds; Secret {} re-hashed",
          RootPasswords.TARGET_ROUNDS,
          Names.SECRET_ROOT_PASSWORD_HASH);
    }
    verified = new Verified(hash, digest);
    return hash;
  }

  /** HMAC-SHA-256 of the password under a key this process made: no one can test guesses on it. */
  private byte[] digest(String password) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(digestKey, "HmacSHA256"));
      return mac.doFinal(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  private static String value(Secret secret, String key) {
    return SecretValues.text(secret, key).orElse(null);
  }
}
