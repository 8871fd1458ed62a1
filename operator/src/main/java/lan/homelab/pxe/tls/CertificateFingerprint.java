package lan.homelab.pxe.tls;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import lan.homelab.pxe.config.Ipv4;

/**
 * The fingerprint answers and DHCP pin: that of the certificate in Secret {@code pxe-tls} (made
 * when missing, see {@link SelfSignedCertificate#ensure}), read again when the last read is older
 * than {@link #FRESHNESS}, so a replaced certificate is pinned by the answers rendered after it.
 * One reader at a time (reconcilers, never an HTTP request): the others wait and take what it read.
 * When a read fails, the last fingerprint is kept for another {@link #FRESHNESS} (and the failure
 * thrown while there is none).
 */
public final class CertificateFingerprint implements Supplier<String> {
  static final Duration FRESHNESS = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final String namespace;
  private final Ipv4 serverAddress;
  private final Clock clock;
  private Read last;

  private record Read(String fingerprint, Instant at) {
    boolean fresh(Instant now) {
      return !now.isBefore(at) && now.isBefore(at.plus(FRESHNESS));
    }
  }

  public CertificateFingerprint(
      KubernetesClient client, String namespace, Ipv4 serverAddress, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.serverAddress = serverAddress;
    this.clock = clock;
  }

  @Override
  public synchronized String get() {
    Read known = last;
    Instant now = clock.instant();
    if (known != null && known.fresh(now)) {
      return known.fingerprint();
    }
    try {
      String fingerprint =
          SelfSignedCertificate.ensure(client, namespace, serverAddress, clock).fingerprint();
      last = new Read(fingerprint, now);
      return fingerprint;
    } catch (KubernetesClientException e) {
      if (known == null) {
        throw e;
      }
      last = new Read(known.fingerprint(), now);
      return known.fingerprint();
    }
  }
}
