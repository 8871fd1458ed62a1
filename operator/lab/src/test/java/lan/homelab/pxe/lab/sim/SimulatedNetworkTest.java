package lan.homelab.pxe.lab.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.lab.api.EmbeddedApiServer;
import lan.homelab.pxe.lab.sim.SimulatedNetwork.ClientKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dnsmasq/nginx stand-in, against a recorder in the operator's place. */
class SimulatedNetworkTest {
  private static final String NS = "pxe-system";
  private static final Mac MAC = Mac.parse("52:54:00:00:00:01");

  /** What the stand-in sent to the operator: method, path, token header, X-Real-IP, body. */
  private record Received(String method, String path, String token, String realIp, String body) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private EmbeddedApiServer api;
  private KubernetesClient client;
  private HttpServer operator;
  private SimulatedNetwork network;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    api = new EmbeddedApiServer(0).start();
    client =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl(api.url()).withNamespace(NS).build())
            .build();
    operator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    operator.createContext(
        "/",
        ex -> {
          received.add(
              new Received(
                  ex.getRequestMethod(),
                  ex.getRequestURI().toString(),
                  ex.getRequestHeaders().getFirst(Names.HEADER_HOOK_TOKEN),
                  ex.getRequestHeaders().getFirst("X-Real-IP"),
                  new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
          byte[] reply = "{\"outcome\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, reply.length);
          ex.getResponseBody().write(reply);
          ex.close();
        });
    operator.start();
    network =
        new SimulatedNetwork(
                client,
                NS,
                URI.create("http://127.0.0.1:" + operator.getAddress().getPort()),
                "hook-secret",
                Ipv4.parse("10.11.3.200"))
            .start(0);
  }

  @AfterEach
  void stop() {
    network.close();
    operator.stop(0);
    client.close();
    api.close();
  }

  private void hosts(String text) {
    client
        .configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.CONFIGMAP_DNSMASQ_HOSTS)
                .endMetadata()
                .withData(Map.of(Names.KEY_HOSTS, text))
                .build())
        .createOr(c -> c.update());
  }

  @Test
  void shouldLendAPoolAddressAndReportTheLeaseWithTheHookToken() throws Exception {
    var lease = network.dhcp(MAC, ClientKind.PXE_ROM, 3);

    assertThat(lease.address()).isEqualTo(Ipv4.parse("10.11.3.203"));
    assertThat(received).hasSize(1);
    Received event = received.get(0);
    assertThat(event.path()).isEqualTo("/v1/dhcp-events");
    assertThat(event.token()).isEqualTo("hook-secret");
    assertThat(event.body())
        .contains("\"action\":\"add\"", "\"mac\":\"52:54:00:00:00:01\"", "\"ip\":\"10.11.3.203\"")
        .contains("\"vendorClass\":\"PXEClient")
        .doesNotContain("userClass");
  }

  @Test
  void shouldGiveTheReservedAddressToIpxeAndIgnoreAnIgnoredMac() throws Exception {
    hosts("# Rendered\n52:54:00:00:00:01,10.11.0.2,peach-beach,infinite\n");
    var lease = network.dhcp(MAC, ClientKind.IPXE, 0);
    assertThat(lease.address()).isEqualTo(Ipv4.parse("10.11.0.2"));
    assertThat(received.get(0).body()).contains("\"userClass\":\"iPXE\"", "\"ip\":\"10.11.0.2\"");

    hosts("# Rendered\n52:54:00:00:00:01,ignore\n");
    assertThat(network.dhcp(MAC, ClientKind.PXE_ROM, 0).ignored()).isTrue();
    assertThat(received).hasSize(1);
  }

  @Test
  void shouldServeTheNodeFilesAndMirrorEachFetchToTheOperator() throws Exception {
    client
        .configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.nodeConfigMap(MAC.objectName()))
                .endMetadata()
                .withData(
                    Map.of(
                        Names.KEY_NODE_IPXE, "#!ipxe\nboot\n",
                        Names.KEY_ANSWER, "[global]\nfqdn = \"peach-beach.homelab.lan\"\n",
                        Names.KEY_ADDRESS, "10.11.0.2"))
                .build())
        .create();

    var script = get("/boot/" + MAC.objectName() + ".ipxe");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).isEqualTo("#!ipxe\nboot\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    assertThat(received.get(0).path())
        .isEqualTo("/v1/notify/boot-script-served?install=" + MAC.objectName());

    var answer = answer("10.11.0.2");
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("peach-beach.homelab.lan");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
    Received notify = received.get(1);
    assertThat(notify.path()).isEqualTo("/v1/notify/answer-served");
    assertThat(notify.realIp()).isEqualTo("10.11.0.2");
    assertThat(notify.token()).isEqualTo("hook-secret");
    assertThat(notify.body()).contains("network_interfaces");

    assertThat(answer("10.11.0.3").statusCode()).isEqualTo(404);
    assertThat(get("/boot/52-54-00-00-00-09.ipxe").statusCode()).isEqualTo(404);
    assertThat(received).hasSize(2);
  }

  @Test
  void shouldForwardTheWebhookToTheOperatorAsNginxDoes() throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create(network.url() + "/v1/webhook/n/t"))
                .header("Content-Type", InstallerMessages.WEBHOOK_CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString("{\"fqdn\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(received)
        .containsExactly(new Received("POST", "/v1/webhook/n/t", null, null, "{\"fqdn\":\"x\"}"));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(network.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> answer(String address) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(network.url() + "/answer"))
            .header("Content-Type", InstallerMessages.ANSWER_CONTENT_TYPE)
            .header(SimulatedNetwork.CLIENT_ADDRESS_HEADER, address)
            .POST(HttpRequest.BodyPublishers.ofString(InstallerMessages.answerRequest(MAC, 0)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
