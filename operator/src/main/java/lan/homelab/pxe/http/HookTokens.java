package lan.homelab.pxe.http;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import lan.homelab.pxe.Names;

/**
 * The shared secret of dnsmasq's lease hook and nginx's notifications: key {@code token} of Secret
 * {@link Names#SECRET_DHCP_HOOK}, read at most every few seconds so a flood of forged requests does
 * not become a flood of API calls. Empty while the Secret or its key is missing.
 */
public final class HookTokens implements Supplier<Optional<String>> {
  static final Duration CACHE = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private Optional<String> cached = Optional.empty();
  private Instant readAt;

  public HookTokens(KubernetesClient client, String namespace, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
  }

  @Override
  public synchronized Optional<String> get() {
    Instant now = clock.instant();
    if (readAt == null || !now.isBefore(readAt.plus(CACHE)) || now.isBefore(readAt)) {
      try {
        cached = read();
        readAt = now;
      } catch (KubernetesClientException e) {
        // keep the last known token; an API hiccup must not lock dnsmasq out
      }
    }
    return cached;
  }

  private Optional<String> read() {
    Secret secret = client.secrets().inNamespace(namespace).withName(Names.SECRET_DHCP_HOOK).get();
    if (secret == null) {
      return Optional.empty();
    }
    if (secret.getData() != null && secret.getData().get(Names.KEY_TOKEN) != null) {
      return nonBlank(
          new String(
              Base64.getDecoder().decode(secret.getData().get(Names.KEY_TOKEN)),
              StandardCharsets.UTF_8));
    }
    if (secret.getStringData() != null) {
      return nonBlank(secret.getStringData().get(Names.KEY_TOKEN));
    }
    return Optional.empty();
  }

  private static Optional<String> nonBlank(String token) {
    return token == null || token.strip().isEmpty() ? Optional.empty() : Optional.of(token.strip());
  }

  /** Constant-time comparison of a presented token with the expected one. */
  static boolean matches(String expected, String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(
        sha256(expected.getBytes(StandardCharsets.UTF_8)),
        sha256(presented.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
