package lan.homelab.pxe;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Queue;

/**
 * A fabric8 mock API server in CRUD mode with the generated CRDs created in it, so status
 * subresources behave as on a real API server, and the operator's namespace.
 */
public final class MockApi implements AutoCloseable {
  public static final String[] CRDS = {
    "/META-INF/fabric8/provisioningslots.pxe.homelab.lan-v1.yml",
    "/META-INF/fabric8/nodeinstalls.pxe.homelab.lan-v1.yml"
  };

  static {
    // Tests wait on conditions, never on time; a busy machine only makes them wait longer.
    org.awaitility.Awaitility.setDefaultTimeout(java.time.Duration.ofSeconds(60));
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public MockApi(String namespace) {
    var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    allowEverythingInRulesReviews(server);
    client = server.createClient();
    for (String crd : CRDS) {
      try (InputStream in = MockApi.class.getResourceAsStream(crd)) {
        CustomResourceDefinition definition =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(definition).create();
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot read " + crd, e);
      }
    }
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_ROOT_PASSWORD)
                .endMetadata()
                .addToData(
                    "hash",
                    java.util.Base64.getEncoder()
                        .encodeToString(
                            ROOT_PASSWORD_HASH.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build())
        .create();
  }

  /** The root password every test install gets, as the user's Secret gives it (a hash). */
  public static final String ROOT_PASSWORD_HASH =
      "$6$rounds=5000$testsalt$WbJx3YqKbcSYULpOPK5P7rnmmUZzsPTG2xGhzGWBq9aUs9mqYEO8oJp3ZDs1EO09bFNZAWm7ejlvMmN2Y2q6h0";

  /**
   * The mock has no RBAC; leader election asks which verbs it may use on leases before it starts,
   * so answer that review as a cluster admin's would be answered.
   */
  public static void allowEverythingInRulesReviews(KubernetesMockServer server) {
    var review =
        new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder()
            .withNewStatus()
            .addNewResourceRule()
            .withApiGroups("*")
            .withResources("*")
            .withVerbs("*")
            .endResourceRule()
            .withIncomplete(false)
            .endStatus()
            .build();
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, review)
        .always();
  }

  /** A client of its own (as a second operator replica would have). */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  public KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
