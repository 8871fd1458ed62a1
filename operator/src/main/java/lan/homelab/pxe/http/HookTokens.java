package lan.homelab.pxe.http;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.secrets.SecretValues;

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
    return SecretValues.text(secret, Names.KEY_TOKEN).map(String::strip).filter(t -> !t.isEmpty());
  }
}
