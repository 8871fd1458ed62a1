package lan.homelab.pxe.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.TestClock;
import lan.homelab.pxe.config.Ipv4;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class CertificateFingerprintTest {
  static final String NS = "pxe-system";

  KubernetesClient client;
  final TestClock clock = new TestClock();

  private String stored() {
    return SelfSignedCertificate.ensure(client, NS, Ipv4.parse("10.11.0.1"), clock).fingerprint();
  }

  @Test
  void shouldPinTheNewCertificateOnceTheSecretWasReplaced() {
    CertificateFingerprint pin =
        new CertificateFingerprint(client, NS, Ipv4.parse("10.11.0.1"), clock);
    String first = pin.get();
    assertThat(first).isEqualTo(stored());

    client.secrets().inNamespace(NS).withName(Names.SECRET_TLS).delete();
    String second = stored();
    assertThat(second).isNotEqualTo(first);
    assertThat(pin.get())
        .as("read less than %s ago", CertificateFingerprint.FRESHNESS)
        .isEqualTo(first);

    clock.advance(CertificateFingerprint.FRESHNESS);
    assertThat(pin.get()).isEqualTo(second);
  }
}
