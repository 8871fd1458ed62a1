package lan.homelab.pxe.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotStatus;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.install.InstallReports;
import lan.homelab.pxe.metrics.PxeMetrics;
import lan.homelab.pxe.status.Conditions;
import lan.homelab.pxe.status.EventRecorder;
import lan.homelab.pxe.status.NodeInstallEvents;

/**
 * The operator's HTTP server on 127.0.0.1 against a fabric8 mock API server in CRUD mode with the
 * generated CRDs, plus helpers to set up state and to see that nothing changed.
 */
final class HttpFixture implements AutoCloseable {
  static final String NS = "pxe-system";
  static final String HOOK_TOKEN = "hook-0123456789abcdef";
  static final Instant NOW = Instant.parse("2026-11-26T16:00:00Z");

  final KubernetesMockServer mock;
  final KubernetesClient client;
  final OperatorSettings settings;
  final PxeMetrics metrics = new PxeMetrics();
  final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  final AtomicBoolean ready = new AtomicBoolean(true);
  final java.util.concurrent.atomic.AtomicReference<java.util.List<String>> unhealthy =
      new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of());
  final OperatorHttpServer server;

  /** What the status page reads, kept by watching as the operator's informers keep it. */
  private final SharedIndexInformer<NodeInstall> installs;

  private final SharedIndexInformer<ProvisioningSlot> slots;
  private final NodeInstallEvents events;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  HttpFixture() throws IOException {
    this(OperatorSettings.defaults(), null);
  }

  HttpFixture(OperatorSettings settings, Supplier<Optional<String>> hookToken) throws IOException {
    this.settings = settings;
    var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
    mock =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    mock.init(InetAddress.getLoopbackAddress(), 0);
    client = mock.createClient();
    for (String crd : List.of("nodeinstalls", "provisioningslots")) {
      try (InputStream in =
          HttpFixture.class.getResourceAsStream(
              "/META-INF/fabric8/" + crd + ".pxe.homelab.lan-v1.yml")) {
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .resource(client.apiextensions().v1().customResourceDefinitions().load(in).item())
            .create();
      }
    }
    secret(Names.SECRET_DHCP_HOOK, HOOK_TOKEN);
    InstallReports reports =
        new InstallReports(
            client, settings, new Conditions(clock), new EventRecorder(client, clock));
    installs = client.resources(NodeInstall.class).inNamespace(NS).inform();
    slots = client.resources(ProvisioningSlot.class).inNamespace(NS).inform();
    events = NodeInstallEvents.start(client, NS);
    server =
        new OperatorHttpServer(
                reports,
                new StatusSource(slots.getStore()::list, installs.getStore()::list, events::newest),
                settings,
                metrics,
                new ProbeHealth(ready::get, unhealthy::get, clock),
                clock,
                hookToken != null ? hookToken : new HookTokens(client, NS, clock))
            .start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /**
   * Deletes every NodeInstall, slot, Event and per-node Secret: a fresh start for the next test.
   */
  void reset() {
    client
        .resources(NodeInstall.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(o -> client.resource(o).delete());
    client
        .resources(ProvisioningSlot.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(o -> client.resource(o).delete());
    client
        .v1()
        .events()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(o -> client.resource(o).delete());
    client.secrets().inNamespace(NS).list().getItems().stream()
        .filter(o -> o.getMetadata().getName().startsWith(Names.SECRET_TOKEN_PREFIX))
        .forEach(o -> client.resource(o).delete());
    ready.set(true);
    unhealthy.set(java.util.List.of());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  void secret(String name, String token) {
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .addToData(
                    Names.KEY_TOKEN,
                    Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))
                .build())
        .createOr(op -> op.update());
  }

  /** A NodeInstall in the given phase at the given address, with its webhook token Secret. */
  NodeInstall install(String mac, NodeInstallPhase phase, String address, String token) {
    Mac m = Mac.parse(mac);
    NodeInstall ni = new NodeInstall();
    ni.getMetadata().setName(m.objectName());
    ni.getMetadata().setNamespace(NS);
    NodeInstallSpec spec = new NodeInstallSpec();
    spec.setMac(m.value());
    if (address != null) {
      // An install with an address holds the slot of that address (as the reconciler records it).
      spec.setSlot("slot-" + address.replace('.', '-'));
      ni.getMetadata().setLabels(Map.of(ApiConstants.LABEL_ADDRESS, address));
    }
    ni.setSpec(spec);
    ni = client.resources(NodeInstall.class).inNamespace(NS).resource(ni).create();
    NodeInstallStatus status = new NodeInstallStatus();
    status.setPhase(phase);
    status.setAddress(address);
    ni.setStatus(status);
    ni = client.resources(NodeInstall.class).inNamespace(NS).resource(ni).updateStatus();
    if (token != null) {
      secret(Names.tokenSecret(m.objectName()), token);
    }
    return ni;
  }

  ProvisioningSlot slot(String name, String address, long order, SlotPhase phase, String holder) {
    ProvisioningSlot slot = new ProvisioningSlot();
    slot.getMetadata().setName(name);
    slot.getMetadata().setNamespace(NS);
    ProvisioningSlotSpec spec = new ProvisioningSlotSpec();
    spec.setAddress(address);
    slot.setSpec(spec);
    slot = client.resources(ProvisioningSlot.class).inNamespace(NS).resource(slot).create();
    ProvisioningSlotStatus status = new ProvisioningSlotStatus();
    status.setPhase(phase);
    status.setOrder(order);
    status.setHostname(name);
    status.setNodeInstall(holder);
    slot.setStatus(status);
    return client.resources(ProvisioningSlot.class).inNamespace(NS).resource(slot).updateStatus();
  }

  NodeInstall nodeInstall(String name) {
    return client.resources(NodeInstall.class).inNamespace(NS).withName(name).get();
  }

  /** Every NodeInstall and slot with its resourceVersion and status: equal means unchanged. */
  String state() {
    return Stream.concat(
            client.resources(NodeInstall.class).inNamespace(NS).list().getItems().stream(),
            client.resources(ProvisioningSlot.class).inNamespace(NS).list().getItems().stream())
        .map(HttpFixture::describe)
        .sorted()
        .collect(Collectors.joining("\n"));
  }

  private static String describe(HasMetadata o) {
    return o.getKind()
        + "/"
        + o.getMetadata().getName()
        + "@"
        + o.getMetadata().getResourceVersion()
        + " "
        + Serialization.asJson(o);
  }

  List<String> eventReasons(String nodeInstall) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> nodeInstall.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getReason())
        .toList();
  }

  HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  HttpResponse<String> post(String path, String contentType, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  /** Sends raw bytes on a fresh socket and returns everything the server answers. */
  String raw(byte[] request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      return readResponse(socket.getInputStream());
    }
  }

  /**
   * Sends a large request from another thread while reading the answer, as a client that streams
   * its body would; a write the server cut short is fine.
   */
  String rawWhileSending(byte[] request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      Thread writer =
          new Thread(
              () -> {
                try {
                  socket.getOutputStream().write(request);
                } catch (IOException cutShort) {
                  // the server answered and closed: expected
                }
              });
      writer.setDaemon(true);
      writer.start();
      return readResponse(socket.getInputStream());
    }
  }

  /** One HTTP/1.1 response with a Content-Length body (or up to EOF without one). */
  static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) != -1) {
      head.append((char) c);
    }
    var length = java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)").matcher(head);
    byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : readAll(in);
    return head + new String(body, StandardCharsets.UTF_8);
  }

  static byte[] readAll(InputStream in) throws IOException {
    try {
      return in.readAllBytes();
    } catch (java.net.SocketException reset) {
      return new byte[0];
    }
  }

  static void assertReason(HttpResponse<String> response, int status, String reason) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.body()).contains("\"error\"").contains(reason);
  }

  @Override
  public void close() {
    server.close();
    events.close();
    installs.close();
    slots.close();
    client.close();
    mock.destroy();
  }
}
