package lan.homelab.pxe.lab.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;

/**
 * The lab's stand-in for dnsmasq and nginx when no real network is used (lab-only). As dnsmasq it
 * answers a machine's DHCP from the operator's rendered host file (reservation, ignore, or a pool
 * address) and reports each lease to the operator's intake exactly as the dnsmasq hook does. As
 * nginx it serves, on 127.0.0.1, the per-node iPXE script and answer from the rendered node
 * ConfigMaps, mirrors both fetches to the operator's notify endpoints and forwards everything else
 * (the installer's webhook) to the operator. Since every simulated machine connects from 127.0.0.1,
 * a machine names its DHCP address in the header {@link #CLIENT_ADDRESS_HEADER} where nginx would
 * use the TCP source address.
 */
public final class SimulatedNetwork implements AutoCloseable {
  /** Lab-only: the address the simulated machine holds (nginx would see it as $remote_addr). */
  public static final String CLIENT_ADDRESS_HEADER = "X-Lab-Client-Address";

  /** The path of a node's boot script on the stand-in, by NodeInstall name. */
  public static final String BOOT_SCRIPT_PATH = "/boot/";

  public static final String ANSWER_PATH = "/answer";

  /** What a PXE-booting machine tells DHCP about itself. */
  public enum ClientKind {
    /** The firmware's PXE ROM (vendor class PXEClient). */
    PXE_ROM,
    /** iPXE, chain-loaded (user class iPXE). */
    IPXE
  }

  /** dnsmasq's answer: an address, or ignored (the MAC is Provisioned or Failed). */
  public record Lease(Ipv4 address, boolean ignored) {}

  private static final Pattern NODE_NAME = Pattern.compile("[0-9a-f]{2}(-[0-9a-f]{2}){5}");

  private final KubernetesClient client;
  private final String namespace;
  private final URI operator;
  private final String hookToken;
  private final Ipv4 poolStart;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private HttpServer server;
  private ExecutorService executor;

  public SimulatedNetwork(
      KubernetesClient client, String namespace, URI operator, String hookToken, Ipv4 poolStart) {
    this.client = client;
    this.namespace = namespace;
    this.operator = operator;
    this.hookToken = hookToken;
    this.poolStart = poolStart;
  }

  /** Starts the nginx stand-in on 127.0.0.1 ({@code port} 0 picks one). */
  public SimulatedNetwork start(int port) throws IOException {
    executor =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "lab-nginx");
              t.setDaemon(true);
              return t;
            });
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    return this;
  }

  /** Base URL of the nginx stand-in: the lab's bootHttpUrl and webhookUrl. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  /**
   * One DHCP exchange of {@code mac}: what dnsmasq answers given the rendered host file, and the
   * lease event its hook posts to the operator (none for an ignored MAC: dnsmasq stays silent).
   *
   * @param poolIndex which discovery-pool address an unreserved machine gets
   */
  public Lease dhcp(Mac mac, ClientKind kind, int poolIndex)
      throws IOException, InterruptedException {
    String hosts = hostFile();
    if (hosts.lines().anyMatch(l -> l.equals(mac.value() + ",ignore"))) {
      return new Lease(null, true);
    }
    Ipv4 address = reservation(hosts, mac).orElse(poolStart.plus(poolIndex));
    String event =
        kind == ClientKind.IPXE
            ? "{\"action\":\"add\",\"mac\":\"%s\",\"ip\":\"%s\",\"userClass\":\"iPXE\","
                + "\"vendorClass\":\"PXEClient:Arch:00007:UNDI:003016\",\"tags\":\"x86-64-efi\","
                + "\"interface\":\"vmbr0\"}"
            : "{\"action\":\"add\",\"mac\":\"%s\",\"ip\":\"%s\","
                + "\"vendorClass\":\"PXEClient:Arch:00007:UNDI:003016\",\"tags\":\"x86-64-efi\","
                + "\"interface\":\"vmbr0\"}";
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(operator.resolve("/v1/dhcp-events"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(Names.HEADER_HOOK_TOKEN, hookToken)
                .POST(HttpRequest.BodyPublishers.ofString(event.formatted(mac.value(), address)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    // 429: more than maxUnclaimedInstalls machines wait; dnsmasq gave the lease all the same (its
    // hook only logs), and the machine's next DHCP (iPXE's retry loop) reports it again.
    if (response.statusCode() >= 300 && response.statusCode() != 429) {
      throw new IOException(
          "the DHCP intake refused a lease event: HTTP "
              + response.statusCode()
              + " "
              + response.body());
    }
    return new Lease(address, false);
  }

  /** The address the rendered host file reserves for {@code mac}, if any. */
  public Optional<Ipv4> reservation(Mac mac) {
    return reservation(hostFile(), mac);
  }

  private static Optional<Ipv4> reservation(String hosts, Mac mac) {
    return hosts
        .lines()
        .filter(l -> l.startsWith(mac.value() + ","))
        .map(l -> l.split(","))
        .filter(parts -> parts.length >= 2)
        .flatMap(parts -> Ipv4.tryParse(parts[1]).stream())
        .findFirst();
  }

  private String hostFile() {
    ConfigMap hosts =
        client.configMaps().inNamespace(namespace).withName(Names.CONFIGMAP_DNSMASQ_HOSTS).get();
    if (hosts == null || hosts.getData() == null) {
      return "";
    }
    return hosts.getData().getOrDefault(Names.KEY_HOSTS, "");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (path.startsWith(BOOT_SCRIPT_PATH) && path.endsWith(".ipxe")) {
        bootScript(exchange, path.substring(BOOT_SCRIPT_PATH.length(), path.length() - 5));
      } else if (path.equals(ANSWER_PATH) && exchange.getRequestMethod().equals("POST")) {
        answer(exchange, body);
      } else {
        forward(exchange, body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void bootScript(HttpExchange exchange, String name)
      throws IOException, InterruptedException {
    Optional<Map<String, String>> files = nodeFiles(name);
    if (!NODE_NAME.matcher(name).matches()
        || files.isEmpty()
        || !files.get().containsKey(Names.KEY_NODE_IPXE)) {
      reply(exchange, 404, "text/plain", "no boot script for " + name + "\n");
      return;
    }
    reply(exchange, 200, "text/plain", files.get().get(Names.KEY_NODE_IPXE));
    String client = exchange.getRequestHeaders().getFirst(CLIENT_ADDRESS_HEADER);
    HttpRequest.Builder notification =
        HttpRequest.newBuilder(operator.resolve("/v1/notify/boot-script-served?install=" + name))
            .GET();
    if (client != null) {
      notification.header("X-Real-IP", client);
    }
    notifyOperator(notification);
  }

  private void answer(HttpExchange exchange, byte[] request)
      throws IOException, InterruptedException {
    String client = exchange.getRequestHeaders().getFirst(CLIENT_ADDRESS_HEADER);
    Optional<Map<String, String>> files = client == null ? Optional.empty() : nodeFilesAt(client);
    if (files.isEmpty() || !files.get().containsKey(Names.KEY_ANSWER)) {
      reply(exchange, 404, "text/plain", "no answer for " + client + "\n");
      return;
    }
    reply(exchange, 200, "application/toml", files.get().get(Names.KEY_ANSWER));
    notifyOperator(
        HttpRequest.newBuilder(operator.resolve("/v1/notify/answer-served"))
            .header("X-Real-IP", client)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request)));
  }

  private void forward(HttpExchange exchange, byte[] body)
      throws IOException, InterruptedException {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(operator.resolve(exchange.getRequestURI().getRawPath()))
            .timeout(Duration.ofSeconds(60))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      request.header("Content-Type", type);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    reply(
        exchange,
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse("application/json"),
        response.body());
  }

  /** nginx's mirror subrequest: its answer is ignored, as nginx ignores it. */
  private void notifyOperator(HttpRequest.Builder request) throws InterruptedException {
    try {
      http.send(
          request
              .timeout(Duration.ofSeconds(10))
              .header(Names.HEADER_HOOK_TOKEN, hookToken)
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // a lost mirror only loses a timestamp, exactly as with nginx
    }
  }

  private Optional<Map<String, String>> nodeFiles(String name) {
    ConfigMap files =
        client.configMaps().inNamespace(namespace).withName(Names.nodeConfigMap(name)).get();
    return Optional.ofNullable(files).map(ConfigMap::getData);
  }

  private Optional<Map<String, String>> nodeFilesAt(String address) {
    return client.configMaps().inNamespace(namespace).list().getItems().stream()
        .filter(c -> c.getMetadata().getName().startsWith(Names.CONFIGMAP_NODE_PREFIX))
        .map(ConfigMap::getData)
        .filter(d -> d != null && address.equals(d.get(Names.KEY_ADDRESS)))
        .findFirst();
  }

  private static void reply(HttpExchange exchange, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type.toLowerCase(Locale.ROOT));
    exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }
}
