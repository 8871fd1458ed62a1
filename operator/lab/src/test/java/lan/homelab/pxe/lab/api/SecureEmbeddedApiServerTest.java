package lan.homelab.pxe.lab.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import lan.homelab.pxe.lab.Kubectl;
import lan.homelab.pxe.lab.api.rbac.AccessDecision;
import lan.homelab.pxe.lab.api.rbac.RbacFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front's secure mode as a pod sees it: fabric8 clients configured the in-cluster way (the
 * service-account volume's token and ca.crt) against HTTPS on an address other than 127.0.0.1,
 * authorized by the boot pod's Role (all ConfigMaps, two Secrets by name).
 */
class SecureEmbeddedApiServerTest {
  private static final String NS = "pxe-system";
  private static final String BIND = "127.0.0.2";
  private static final String BOOT_USER = "system:serviceaccount:pxe-system:pxe-boot";

  @TempDir Path dir;
  private EmbeddedApiServer api;
  private KubernetesClient admin;
  private KubernetesClient boot;

  @BeforeEach
  void start() throws Exception {
    api = EmbeddedApiServer.secure(BIND, 0).start();
    admin = client(api.adminToken());
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    admin
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("pxe-boot")
                .endMetadata()
                .build())
        .create();
    for (String document : RbacFixtures.BOOT_RBAC.split("(?m)^---$")) {
      admin.resource((HasMetadata) Serialization.unmarshal(document)).create();
    }
    admin.configMaps().inNamespace(NS).resource(configMap("pxe-dnsmasq", "1")).create();
    admin.secrets().inNamespace(NS).resource(secret("pxe-tls", "cert")).create();
    admin.secrets().inNamespace(NS).resource(secret("pxe-root-password", "hunter2")).create();
    boot = inClusterClient(api.writeServiceAccountVolume(dir.resolve("sa"), NS, "pxe-boot"));
    api.clearAccessLog();
  }

  @AfterEach
  void stop() {
    if (boot != null) {
      boot.close();
    }
    if (admin != null) {
      admin.close();
    }
    api.close();
  }

  private KubernetesClient client(String token) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl(api.url())
                .withCaCertData(base64(api.caCertificatePem()))
                .withOauthToken(token)
                .withNamespace(NS)
                .withRequestRetryBackoffLimit(0)
                .build())
        .build();
  }

  /** Configured as fabric8 configures itself in a pod: the volume's ca.crt, token, namespace. */
  private KubernetesClient inClusterClient(Path volume) throws Exception {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl(api.url())
                .withCaCertFile(volume.resolve("ca.crt").toString())
                .withOauthToken(Files.readString(volume.resolve("token")))
                .withNamespace(Files.readString(volume.resolve("namespace")))
                .withRequestRetryBackoffLimit(0)
                .build())
        .build();
  }

  private static ConfigMap configMap(String name, String value) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addToData("v", value)
        .build();
  }

  private static Secret secret(String name, String value) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addToData("v", base64(value))
        .build();
  }

  private static String base64(String text) {
    return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> get(HttpClient http, String path, String token) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpClient trustingTheCa() throws Exception {
    X509Certificate ca =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(
                        api.caCertificatePem().getBytes(StandardCharsets.UTF_8)));
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(context).build();
  }

  @Test
  void shouldServeHttpsOnTheGivenAddressWithACertificateItsCaSigned() throws Exception {
    assertThat(api.url()).startsWith("https://" + BIND + ":");
    String token = api.serviceAccountToken(NS, "pxe-boot");

    assertThat(get(trustingTheCa(), "/version", token).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "/version", token))
        .isInstanceOf(SSLHandshakeException.class);
    X509Certificate serving = api.servingCertificate();
    assertThat(serving.getSubjectAlternativeNames())
        .extracting(name -> String.valueOf(name.get(1)))
        .contains(BIND, "127.0.0.1", "kubernetes.default.svc");
  }

  @Test
  void shouldAnswer401WithoutATokenOrWithAnUnknownOne() throws Exception {
    HttpClient http = trustingTheCa();
    for (String token : new String[] {null, "not-a-token"}) {
      HttpResponse<String> response = get(http, "/api/v1/namespaces/pxe-system/configmaps", token);
      assertThat(response.statusCode()).isEqualTo(401);
      JsonNode status = Json.parse(response.body());
      assertThat(status.path("reason").asText()).isEqualTo("Unauthorized");
      assertThat(status.path("kind").asText()).isEqualTo("Status");
    }
    assertThat(api.accessLog()).as("nobody was authenticated, nothing was decided").isEmpty();
  }

  @Test
  void shouldRejectTheTokenOfAServiceAccountThatWasDeleted() throws Exception {
    String token = api.serviceAccountToken(NS, "pxe-boot");
    HttpClient http = trustingTheCa();
    assertThat(get(http, "/api/v1/namespaces/pxe-system/configmaps", token).statusCode())
        .isEqualTo(200);

    admin.serviceAccounts().inNamespace(NS).withName("pxe-boot").delete();

    assertThat(get(http, "/api/v1/namespaces/pxe-system/configmaps", token).statusCode())
        .isEqualTo(401);
  }

  @Test
  void shouldAllowWhatTheRoleGrants() {
    assertThat(boot.configMaps().withName("pxe-dnsmasq").get().getData()).containsEntry("v", "1");
    assertThat(boot.configMaps().list().getItems())
        .extracting(c -> c.getMetadata().getName())
        .contains("pxe-dnsmasq");
    assertThat(boot.secrets().withName("pxe-tls").get()).isNotNull();
    assertThat(api.deniedRequests()).isEmpty();
    assertThat(api.accessLog())
        .extracting(AccessDecision::toString)
        .contains(
            BOOT_USER + " get configmaps pxe-dnsmasq in pxe-system: allowed",
            BOOT_USER + " list configmaps in pxe-system: allowed",
            BOOT_USER + " get secrets pxe-tls in pxe-system: allowed");
  }

  @Test
  void shouldAnswer403WithKubeApiserversStatusForWhatTheRoleDoesNotGrant() {
    assertThatThrownBy(() -> boot.secrets().list())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "secrets is forbidden: User \""
                          + BOOT_USER
                          + "\" cannot list resource \"secrets\" in API group \"\" in the"
                          + " namespace \"pxe-system\"");
            });
    assertThatThrownBy(() -> boot.secrets().withName("pxe-root-password").get())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getStatus().getDetails().getName()).isEqualTo("pxe-root-password");
              assertThat(e.getStatus().getDetails().getKind()).isEqualTo("secrets");
            });
    assertThatThrownBy(() -> boot.configMaps().resource(configMap("forged", "x")).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThatThrownBy(() -> boot.configMaps().inNamespace("default").list())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

    assertThat(admin.configMaps().inNamespace(NS).withName("forged").get())
        .as("a denied write changes nothing")
        .isNull();
    assertThat(api.deniedRequests())
        .extracting(AccessDecision::toString)
        .containsExactly(
            BOOT_USER + " list secrets in pxe-system: denied",
            BOOT_USER + " get secrets pxe-root-password in pxe-system: denied",
            BOOT_USER + " create configmaps in pxe-system: denied",
            BOOT_USER + " list configmaps in default: denied");
  }

  @Test
  void shouldLetAnInformerWatchOneSecretByNameUnderAResourceNamesRule() {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    SharedIndexInformer<Secret> informer =
        boot.secrets()
            .withName("pxe-tls")
            .inform(
                new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Secret s) {
                    seen.add("add " + value(s));
                  }

                  @Override
                  public void onUpdate(Secret before, Secret after) {
                    seen.add("update " + value(after));
                  }

                  @Override
                  public void onDelete(Secret s, boolean unknownFinalState) {
                    seen.add("delete");
                  }
                });
    try {
      await().atMost(Duration.ofSeconds(30)).until(informer::hasSynced);
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("add cert"));
      admin.secrets().inNamespace(NS).resource(secret("pxe-tls", "renewed")).update();
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("update renewed"));
    } finally {
      informer.close();
    }
    assertThat(api.deniedRequests()).isEmpty();
    assertThat(api.accessLog())
        .extracting(AccessDecision::toString)
        .contains(
            BOOT_USER + " list secrets pxe-tls in pxe-system: allowed",
            BOOT_USER + " watch secrets pxe-tls in pxe-system: allowed");
  }

  private static String value(Secret secret) {
    String encoded = secret.getData() == null ? null : secret.getData().get("v");
    return encoded == null
        ? "?"
        : new String(java.util.Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  @Test
  void shouldAnswerSelfReviewsFromTheSameRules() {
    SelfSubjectRulesReview rules =
        boot.resource(
                new SelfSubjectRulesReviewBuilder()
                    .withNewSpec()
                    .withNamespace(NS)
                    .endSpec()
                    .build())
            .create();
    assertThat(rules.getStatus().getIncomplete()).isFalse();
    assertThat(rules.getStatus().getResourceRules())
        .anySatisfy(
            r -> {
              assertThat(r.getResources()).containsExactly("secrets");
              assertThat(r.getResourceNames()).containsExactly("pxe-dhcp-hook", "pxe-tls");
            });
    assertThat(rules.getStatus().getNonResourceRules())
        .anySatisfy(r -> assertThat(r.getNonResourceURLs()).contains("/api", "/version"));

    assertThat(accessReview("get", "configmaps", null).getStatus().getAllowed()).isTrue();
    assertThat(accessReview("create", "configmaps", null).getStatus().getAllowed()).isFalse();
    assertThat(accessReview("get", "secrets", "pxe-tls").getStatus().getAllowed()).isTrue();
    assertThat(accessReview("get", "secrets", "pxe-root-password").getStatus().getAllowed())
        .isFalse();
    assertThat(admin.resources(SelfSubjectAccessReview.class).list().getItems())
        .as("reviews are answered, never stored")
        .isEmpty();
  }

  private SelfSubjectAccessReview accessReview(String verb, String resource, String name) {
    return boot.resource(
            new SelfSubjectAccessReviewBuilder()
                .withNewSpec()
                .withNewResourceAttributes()
                .withNamespace(NS)
                .withVerb(verb)
                .withResource(resource)
                .withName(name)
                .endResourceAttributes()
                .endSpec()
                .build())
        .create();
  }

  @Test
  void shouldApplyARoleChangedAfterStart() {
    assertThatThrownBy(() -> boot.configMaps().resource(configMap("allowed-later", "x")).create())
        .isInstanceOf(KubernetesClientException.class);

    Role role = admin.rbac().roles().inNamespace(NS).withName("pxe-boot").get();
    role.getRules().get(0).getVerbs().add("create");
    admin.rbac().roles().inNamespace(NS).resource(role).update();

    assertThat(boot.configMaps().resource(configMap("allowed-later", "x")).create()).isNotNull();
  }

  @Test
  void shouldCarryTheBootstrapPolicyEveryClusterHas() {
    assertThat(admin.rbac().clusterRoleBindings().withName("system:discovery").get().getSubjects())
        .extracting(s -> s.getName())
        .containsExactly("system:authenticated");
    assertThat(admin.rbac().clusterRoles().withName("cluster-admin").get()).isNotNull();
  }

  @Test
  void shouldServeKubectlThroughTheAdminKubeconfig() throws Exception {
    Kubectl kubectl =
        Kubectl.forKubeconfig(api.writeKubeconfig(dir.resolve("kubeconfig"), NS), dir);

    assertThat(
            kubectl
                .run(Duration.ofSeconds(60), "get", "configmaps", "-o", "name")
                .assertOk()
                .stdout())
        .contains("configmap/pxe-dnsmasq");
    assertThat(api.deniedRequests()).isEmpty();
    assertThat(api.accessLog()).allSatisfy(d -> assertThat(d.user().name()).isEqualTo("lab-admin"));
  }
}
