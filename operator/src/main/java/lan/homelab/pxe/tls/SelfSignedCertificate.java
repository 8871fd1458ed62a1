package lan.homelab.pxe.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.secrets.SecretValues;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS certificate nginx serves to the installers: made once (self-signed, EC P-256, valid 20
 * years; the installer pins its fingerprint and checks nothing else) and kept in Secret {@link
 * Names#SECRET_TLS} (type kubernetes.io/tls, {@code tls.crt}/{@code tls.key} PEM). Later calls, on
 * any replica or after a restart, read the Secret back, so the fingerprint in the answers stays the
 * same. A certificate the user put there is kept too; an unreadable one is replaced.
 */
public final class SelfSignedCertificate {
  private static final Logger log = LoggerFactory.getLogger(SelfSignedCertificate.class);
  static final String KEY_CRT = "tls.crt";
  static final String KEY_KEY = "tls.key";
  static final Duration VALIDITY = Duration.ofDays(20 * 365);

  private final X509Certificate certificate;

  private SelfSignedCertificate(X509Certificate certificate) {
    this.certificate = certificate;
  }

  /** Reads the certificate from the Secret, creating the Secret first when it is missing. */
  public static SelfSignedCertificate ensure(
      KubernetesClient client, String namespace, Ipv4 serverAddress, Clock clock) {
    var secrets = client.secrets().inNamespace(namespace);
    Secret existing = secrets.withName(Names.SECRET_TLS).get();
    if (existing != null) {
      X509Certificate cert = readable(existing);
      if (cert != null) {
        return new SelfSignedCertificate(cert);
      }
      log.warn("Secret {} holds no readable certificate and key; replacing it", Names.SECRET_TLS);
      Secret fresh = generate(namespace, serverAddress, clock);
      fresh.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      if (existing.getType() != null) {
        fresh.setType(existing.getType()); // the API server refuses to change a Secret's type
      }
      secrets.resource(fresh).update();
      return new SelfSignedCertificate(readable(fresh));
    }
    Secret fresh = generate(namespace, serverAddress, clock);
    try {
      secrets.resource(fresh).create();
      log.info("created TLS certificate in Secret {}", Names.SECRET_TLS);
      return new SelfSignedCertificate(readable(fresh));
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // another replica was first: use its certificate
      return ensure(client, namespace, serverAddress, clock);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** SHA-256 of the certificate's DER, upper-case hex pairs joined by colons (cert-fingerprint). */
  public String fingerprint() {
    return fingerprint(certificate);
  }

  static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate readable(Secret secret) {
    String crt = SecretValues.text(secret, KEY_CRT).orElse(null);
    String key = SecretValues.text(secret, KEY_KEY).orElse(null);
    if (crt == null || key == null || !key.contains("PRIVATE KEY-----")) {
      return null;
    }
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(crt.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return null;
    }
  }

  private static Secret generate(String namespace, Ipv4 serverAddress, Clock clock) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=pxe-operator");
      Instant now = clock.instant();
      var builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(VALIDITY)),
              subject,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, serverAddress.toString()),
                new GeneralName(GeneralName.dNSName, "pxe-operator")
              }));
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      return new SecretBuilder()
          .withNewMetadata()
          .withName(Names.SECRET_TLS)
          .withNamespace(namespace)
          .addToLabels(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY_VALUE)
          .endMetadata()
          .withType("kubernetes.io/tls")
          .addToData(KEY_CRT, SecretValues.encode(pem(cert)))
          .addToData(KEY_KEY, SecretValues.encode(pem(keys.getPrivate())))
          .build();
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot create a TLS certificate", e);
    }
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(
          object instanceof java.security.PrivateKey key
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)
              : object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
