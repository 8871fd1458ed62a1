package lan.homelab.pxe.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;

/** The fabric8 mock API server in CRUD mode, with the chart's CRDs created first. */
final class MockApi implements AutoCloseable {
  final KubernetesMockServer server;
  final KubernetesClient client;

  /** User-Agent of {@link #client}: its own requests are not counted as the operator's. */
  static final String USER_AGENT = "pxe-chart-test";

  private MockApi(KubernetesMockServer server) {
    this.server = server;
    Config config;
    try (KubernetesClient plain = server.createClient()) {
      config = plain.getConfiguration();
    }
    config.setUserAgent(USER_AGENT);
    this.client = new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Plain HTTP on the given address and port (0: any free port). */
  static MockApi start(String host, int port) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    var server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    try {
      server.init(InetAddress.getByName(host), port);
      lan.homelab.pxe.MockApi.allowEverythingInRulesReviews(server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new MockApi(server);
  }

  /** The base URL by address, not by name (a chroot may have no /etc/hosts). */
  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** Creates every CRD file (*.yml) of the directory. */
  MockApi createCrds(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        var crd = Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Creates the objects (custom resources typed, so their CRD's status semantics apply). */
  List<HasMetadata> apply(List<HasMetadata> objects) {
    List<HasMetadata> created = new ArrayList<>();
    for (HasMetadata object : objects) {
      HasMetadata typed =
          object.getKind().equals("ProvisioningSlot")
              ? Serialization.unmarshal(Serialization.asJson(object), ProvisioningSlot.class)
              : object;
      created.add(client.resource(typed).create());
    }
    return created;
  }

  /**
   * The permissions the requests since the last call needed: those of other clients than {@link
   * #client}, without discovery paths.
   */
  List<ApiAccess> drainAccesses() throws InterruptedException {
    List<ApiAccess> accesses = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      RecordedRequest request = server.takeRequest(1, TimeUnit.MILLISECONDS);
      if (request == null) {
        break;
      }
      if (USER_AGENT.equals(request.getHeader("User-Agent"))) {
        continue;
      }
      ApiAccess access = ApiAccess.fromRequest(request.getMethod(), request.getPath());
      if (access != null) {
        accesses.add(access);
      }
    }
    return accesses;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
