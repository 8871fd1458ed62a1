package lan.homelab.pxe.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.config.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class SelfSignedCertificateTest {
  static final String NS = "pxe-system";
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T16:00:00Z"), ZoneOffset.UTC);
  static final Ipv4 SERVER = Ipv4.parse("10.11.0.1");

  KubernetesClient client;

  @TempDir Path dir;

  Secret secret() {
    return client.secrets().inNamespace(NS).withName(Names.SECRET_TLS).get();
  }

  static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  @Test
  void shouldCreateACertificateAndKeyOnceAndReturnTheSha256FingerprintOfItsDer() throws Exception {
    SelfSignedCertificate tls = SelfSignedCertificate.ensure(client, NS, SERVER, CLOCK);

    Secret secret = secret();
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    String crt = decoded(secret, "tls.crt");
    String key = decoded(secret, "tls.key");
    assertThat(crt).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(key).startsWith("-----BEGIN PRIVATE KEY-----");
    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(crt.getBytes(StandardCharsets.US_ASCII)));
    String expected =
        HexFormat.ofDelimiter(":")
            .withUpperCase()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    assertThat(tls.fingerprint()).isEqualTo(expected).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(cert.getSubjectAlternativeNames().toString()).contains("10.11.0.1");
    cert.checkValidity(java.util.Date.from(CLOCK.instant()));
    assertKeyBelongsToCertificate(key, cert);
  }

  @Test
  void shouldReadTheSameCertificateBackOnEveryLaterStart() {
    String first = SelfSignedCertificate.ensure(client, NS, SERVER, CLOCK).fingerprint();
    String version = secret().getMetadata().getResourceVersion();

    String second = SelfSignedCertificate.ensure(client, NS, SERVER, CLOCK).fingerprint();

    assertThat(second).isEqualTo(first);
    assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void shouldReplaceAnUnreadableSecret() {
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_TLS)
                .withNamespace(NS)
                .endMetadata()
                .addToData("tls.crt", Base64.getEncoder().encodeToString("garbage".getBytes()))
                .build())
        .create();

    SelfSignedCertificate tls = SelfSignedCertificate.ensure(client, NS, SERVER, CLOCK);

    assertThat(decoded(secret(), "tls.crt")).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(SelfSignedCertificate.ensure(client, NS, SERVER, CLOCK).fingerprint())
        .isEqualTo(tls.fingerprint());
  }

  @Test
  void shouldGiveTheFingerprintOpensslComputes() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/openssl")), "skipped: no openssl to cross-check");
    SelfSignedCertificate tls = SelfSignedCertificate.ensure(client, NS, SERVER, CLOCK);
    Path crt = dir.resolve("tls.crt");
    Files.writeString(crt, decoded(secret(), "tls.crt"));

    Process p =
        new ProcessBuilder(
                "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", crt.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();

    assertThat(out).endsWith("=" + tls.fingerprint());
  }

  private static void assertKeyBelongsToCertificate(String pem, X509Certificate cert)
      throws Exception {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PrivateKey key =
        KeyFactory.getInstance("EC")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    byte[] data = "pin me".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(cert.getPublicKey());
    verifier.update(data);
    assertThat(verifier.verify(signature)).isTrue();
  }
}
