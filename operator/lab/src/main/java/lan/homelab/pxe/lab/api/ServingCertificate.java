package lan.homelab.pxe.lab.api;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA made at start and the serving certificate it signs, as a cluster's CA and kube-apiserver's
 * serving certificate: EC P-256, valid for {@link #VALIDITY}; the serving certificate names the
 * given IP addresses and DNS names. Clients trust {@link #caCertificatePem()} (a pod's {@code
 * ca.crt}).
 */
final class ServingCertificate {
  static final Duration VALIDITY = Duration.ofDays(30);
  private static final char[] NO_PASSWORD = new char[0];

  private final X509Certificate ca;
  private final X509Certificate serving;
  private final SSLContext sslContext;

  private ServingCertificate(X509Certificate ca, X509Certificate serving, SSLContext sslContext) {
    this.ca = ca;
    this.serving = serving;
    this.sslContext = sslContext;
  }

  static ServingCertificate generate(List<String> ipAddresses, List<String> dnsNames, Clock clock) {
    try {
      Instant now = clock.instant();
      KeyPair caKeys = keyPair();
      X500Name caName = new X500Name("CN=pxe-lab-ca");
      var caBuilder =
          new JcaX509v3CertificateBuilder(
              caName, serial(), notBefore(now), notAfter(now), caName, caKeys.getPublic());
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      caBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate ca = sign(caBuilder, caKeys);

      KeyPair servingKeys = keyPair();
      var servingBuilder =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              notBefore(now),
              notAfter(now),
              new X500Name("CN=kube-apiserver"),
              servingKeys.getPublic());
      servingBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      servingBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      servingBuilder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      List<GeneralName> names = new ArrayList<>();
      ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
      servingBuilder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      X509Certificate serving = sign(servingBuilder, caKeys);

      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry(
          "serving", servingKeys.getPrivate(), NO_PASSWORD, new Certificate[] {serving, ca});
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keyStore, NO_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), null, new SecureRandom());
      return new ServingCertificate(ca, serving, context);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot make the lab API's certificates", e);
    }
  }

  SSLContext sslContext() {
    return sslContext;
  }

  X509Certificate servingCertificate() {
    return serving;
  }

  /** The CA certificate, PEM: what a client trusts. */
  String caCertificatePem() {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(ca);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  private static BigInteger serial() {
    return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
  }

  private static Date notBefore(Instant now) {
    return Date.from(now.minus(Duration.ofHours(1)));
  }

  private static Date notAfter(Instant now) {
    return Date.from(now.plus(VALIDITY));
  }
}
