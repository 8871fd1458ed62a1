package lan.homelab.pxe.http;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.secrets.SecretValues;

/**
 * The shared secret of dnsmasq's lease hook and nginx's notifications: key {@code token} of Secret
 * {@link Names#SECRET_DHCP_HOOK}, read at most every few seconds so a flood of forged requests does
 * not become a flood of API calls. Empty while the Secret or its key is missing.
 *
 * <p>No caller waits for another's API call: once a read was made, one caller reads again while the
 * others answer from what is known (before the first read, each caller reads). A failed read keeps
 * the last known token and is tried again only after {@link #AFTER_FAILURE}, so during an API
 * outage requests are not held up by one API timeout each.
 */
public final class HookTokens implements Supplier<Optional<String>> {
  static final Duration CACHE = Duration.ofSeconds(5);

  /** How long a failed read is remembered before the next caller tries again. */
  static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private final AtomicReference<Known> known =
      new AtomicReference<>(new Known(Optional.empty(), null, null));
  private final AtomicBoolean reading = new AtomicBoolean();

  /** The token as last read, when, and when to read again. */
  private record Known(Optional<String> token, Instant readAt, Instant nextReadAt) {
    boolean due(Instant now) {
      return readAt == null || !now.isBefore(nextReadAt) || now.isBefore(readAt);
    }
  }

  public HookTokens(KubernetesClient client, String namespace, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
  }

  @Override
  public Optional<String> get() {
    Known last = known.get();
    Instant now = clock.instant();
    if (!last.due(now)) {
      return last.token();
    }
    // Nothing read yet: every caller reads (in parallel) rather than answer "not configured".
    boolean first = last.readAt() == null;
    if (!first && !reading.compareAndSet(false, true)) {
      return last.token();
    }
    try {
      Optional<String> token = read();
      known.set(new Known(token, now, now.plus(CACHE)));
      return token;
    } catch (KubernetesClientException e) {
      // keep the last known token; an API hiccup must not lock dnsmasq out
      return known.updateAndGet(k -> new Known(k.token(), now, now.plus(AFTER_FAILURE))).token();
    } finally {
      if (!first) {
        reading.set(false);
      }
    }
  }

  private Optional<String> read() {
    Secret secret = client.secrets().inNamespace(namespace).withName(Names.SECRET_DHCP_HOOK).get();
    return SecretValues.text(secret, Names.KEY_TOKEN).map(String::strip).filter(t -> !t.isEmpty());
  }
}
