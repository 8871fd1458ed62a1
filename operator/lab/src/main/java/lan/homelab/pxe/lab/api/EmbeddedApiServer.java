package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import lan.homelab.pxe.lab.api.ApiCall.Reply;
import lan.homelab.pxe.lab.api.rbac.AccessDecision;
import lan.homelab.pxe.lab.api.rbac.BootstrapPolicy;
import lan.homelab.pxe.lab.api.rbac.RbacPolicy;
import lan.homelab.pxe.lab.api.rbac.RequestAttributes;
import lan.homelab.pxe.lab.api.rbac.UserInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lab-only test infrastructure, never part of the operator: a Kubernetes API good enough for the
 * operator's fabric8 client and for kubectl. Objects live in fabric8's mock store ({@link
 * KubernetesCrudDispatcher}); this front adds what the store lacks: discovery, an empty OpenAPI
 * document, HTTP chunked watches, server-side Table output, correct merge patches, strategic-merge
 * and server-side-apply patches (approximated as merge patches), field selectors, status writes
 * that carry a query string, protobuf bodies of Secrets and ConfigMaps (client-go's typed clients,
 * Helm's release storage), and clear errors for what it cannot do (other protobuf bodies, dry
 * runs). It does not emulate admission, schema validation, defaulting or garbage collection, and a
 * watch cannot resume across deleted objects.
 *
 * <p>Two modes:
 *
 * <ul>
 *   <li>{@code new EmbeddedApiServer(port)}: plain HTTP on 127.0.0.1, no authentication, everything
 *       allowed ({@code ./pxe-operator lab}, kubectl tests).
 *   <li>{@code EmbeddedApiServer.secure(bindAddress, port)}: HTTPS on the given address with a
 *       certificate from a CA made at start ({@link #caCertificatePem()}, the {@code ca.crt} of a
 *       pod's service-account volume), naming the address, 127.0.0.1 and {@code
 *       kubernetes.default.svc}. Every request needs a bearer token: {@link #adminToken()}
 *       (cluster-admin through {@code system:masters}; {@link #writeKubeconfig} uses it) or {@link
 *       #serviceAccountToken} ({@code system:serviceaccount:<ns>:<name>}, valid while that
 *       ServiceAccount exists); none or an unknown one gets 401. Requests are authorized as
 *       kube-apiserver's RBAC authorizer does ({@link RbacPolicy}, attributes as in {@link
 *       RequestAttributes}) from the Roles, RoleBindings, ClusterRoles and ClusterRoleBindings
 *       stored here, plus the bootstrap policy created at start ({@link BootstrapPolicy}:
 *       discovery, version, health, OpenAPI and the self-reviews for every authenticated user); a
 *       denied request gets kube-apiserver's 403 Status. SelfSubjectRulesReview and
 *       SelfSubjectAccessReview are answered from the same rules. Every decision is recorded
 *       ({@link #accessLog()}, {@link #deniedRequests()}).
 * </ul>
 */
public final class EmbeddedApiServer implements AutoCloseable {
  /** The CRDs the front creates at start, as the operator's build generates them. */
  public static final List<String> CRD_RESOURCES =
      List.of(
          "/META-INF/fabric8/nodeinstalls.pxe.homelab.lan-v1.yml",
          "/META-INF/fabric8/provisioningslots.pxe.homelab.lan-v1.yml");

  static final String OPENAPI_V2_PROTOBUF =
      "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
  private static final Duration DEFAULT_WATCH_TIMEOUT = Duration.ofMinutes(30);
  private static final Duration MAX_WATCH_TIMEOUT = Duration.ofHours(1);
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedApiServer.class);

  /** The names a pod uses for its cluster's API server, in the serving certificate. */
  static final List<String> SERVICE_NAMES =
      List.of(
          "kubernetes",
          "kubernetes.default",
          "kubernetes.default.svc",
          "kubernetes.default.svc.cluster.local",
          "localhost");

  private final String bindAddress;
  private final int requestedPort;
  private final MockStore store = new MockStore();
  private final ApiSecurity security;
  private final ServingCertificate certificate;
  private final ReentrantLock writes = new ReentrantLock();
  private final Set<WatchStream> watches = ConcurrentHashMap.newKeySet();
  private final TableView tables;
  private HttpServer server;
  private ExecutorService executor;

  /** A front for 127.0.0.1:{@code port}; 0 picks a free port. */
  public EmbeddedApiServer(int port) {
    this(port, Clock.systemUTC());
  }

  EmbeddedApiServer(int port, Clock clock) {
    this("127.0.0.1", port, clock, false);
  }

  private EmbeddedApiServer(String bindAddress, int port, Clock clock, boolean secure) {
    this.bindAddress = bindAddress;
    this.requestedPort = port;
    this.tables = new TableView(clock);
    this.security = secure ? new ApiSecurity(store) : null;
    this.certificate =
        secure
            ? ServingCertificate.generate(
                bindAddress.equals("127.0.0.1")
                    ? List.of(bindAddress)
                    : List.of(bindAddress, "127.0.0.1"),
                SERVICE_NAMES,
                clock)
            : null;
  }

  /**
   * A front with authentication and RBAC on HTTPS at {@code bindAddress:port} (0 picks a free
   * port), e.g. the host end of a veth that a network namespace reaches.
   */
  public static EmbeddedApiServer secure(String bindAddress, int port) {
    return new EmbeddedApiServer(bindAddress, port, Clock.systemUTC(), true);
  }

  /**
   * Binds its address, starts serving and creates the operator's CRDs (and, in secure mode, the
   * bootstrap RBAC policy).
   */
  public EmbeddedApiServer start() throws IOException {
    AtomicInteger threads = new AtomicInteger();
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "lab-api-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    InetSocketAddress address = new InetSocketAddress(bindAddress, requestedPort);
    if (security == null) {
      server = HttpServer.create(address, 64);
    } else {
      HttpsServer https = HttpsServer.create(address, 64);
      https.setHttpsConfigurator(new HttpsConfigurator(certificate.sslContext()));
      server = https;
      security.createBootstrapPolicy();
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    for (String resource : CRD_RESOURCES) {
      store.createCrd(resource);
    }
    return this;
  }

  /**
   * {@code http://127.0.0.1:PORT} (plain) or {@code https://ADDRESS:PORT} (secure), usable as
   * {@code kubectl --server} and as fabric8 master URL.
   */
  public String url() {
    return (security == null ? "http://" : "https://") + bindAddress + ":" + port();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Writes a kubeconfig for this server with {@code namespace} as the default namespace; in secure
   * mode with the CA and the admin token.
   */
  public Path writeKubeconfig(Path file, String namespace) throws IOException {
    if (security == null) {
      return Kubeconfig.write(file, url(), namespace);
    }
    return Kubeconfig.write(file, url(), namespace, caCertificatePem(), adminToken());
  }

  /** The CA that signed the serving certificate, PEM (secure mode). */
  public String caCertificatePem() {
    return secureMode().certificate.caCertificatePem();
  }

  /** The certificate the front serves (secure mode). */
  java.security.cert.X509Certificate servingCertificate() {
    return secureMode().certificate.servingCertificate();
  }

  /** A token of {@code system:masters}, allowed everything (secure mode). */
  public String adminToken() {
    return secureMode().security.adminToken();
  }

  /**
   * A bearer token for {@code system:serviceaccount:<namespace>:<name>} (secure mode), accepted
   * while that ServiceAccount exists in the store.
   */
  public String serviceAccountToken(String namespace, String name) {
    return secureMode().security.serviceAccountToken(namespace, name);
  }

  /**
   * Writes what the kubelet projects into a pod's service-account volume ({@code token}, {@code
   * ca.crt}, {@code namespace}) into {@code dir} (secure mode).
   */
  public Path writeServiceAccountVolume(Path dir, String namespace, String name)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("token"), serviceAccountToken(namespace, name));
    Files.writeString(dir.resolve("ca.crt"), caCertificatePem());
    Files.writeString(dir.resolve("namespace"), namespace);
    return dir;
  }

  /** Every authorization decision so far, oldest first (secure mode). */
  public List<AccessDecision> accessLog() {
    return secureMode().security.accessLog();
  }

  /** The denied requests so far, oldest first (secure mode). */
  public List<AccessDecision> deniedRequests() {
    return accessLog().stream().filter(d -> !d.allowed()).toList();
  }

  /** Forgets the decisions recorded so far (secure mode). */
  public void clearAccessLog() {
    secureMode().security.clearAccessLog();
  }

  private EmbeddedApiServer secureMode() {
    if (security == null) {
      throw new IllegalStateException(
          "the plain front has no authentication or RBAC: use EmbeddedApiServer.secure");
    }
    return this;
  }

  /** Ends every open watch and stops serving. */
  @Override
  public void close() {
    watches.forEach(w -> w.close(1001, "server stopping"));
    if (server != null) {
      server.stop(0);
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      ApiCall call = ApiCall.read(exchange);
      UserInfo user = null;
      if (security != null) {
        Optional<UserInfo> authenticated = security.authenticate(call);
        if (authenticated.isEmpty()) {
          ApiCall.send(exchange, Reply.status(401, "Unauthorized", "Unauthorized"));
          return;
        }
        user = authenticated.get();
        AccessDecision decision = security.authorize(user, call);
        if (!decision.allowed()) {
          ApiCall.send(exchange, forbidden(decision));
          return;
        }
      }
      if (call.isWatch() && !call.isWebSocketHandshake()) {
        watch(exchange, call);
        return;
      }
      Reply reply;
      try {
        reply = route(call, user);
      } catch (IllegalArgumentException e) {
        reply = Reply.status(400, "BadRequest", e.getMessage());
      } catch (RuntimeException e) {
        LOG.warn("{} {} failed", call.method(), call.path(), e);
        reply = Reply.status(500, "InternalError", e.toString());
      }
      ApiCall.send(exchange, reply);
    }
  }

  /** Answers one request; {@code user} is null in plain mode. */
  private Reply route(ApiCall call, UserInfo user) {
    if (call.isWebSocketHandshake()) {
      // fabric8 treats a 200 answer to its WebSocket handshake as "use HTTP watches instead".
      return Reply.json(200, Json.object());
    }
    String contentType = call.contentType();
    if (contentType != null && contentType.contains("protobuf")) {
      return Reply.status(
          415,
          "UnsupportedMediaType",
          "the lab API reads protobuf bodies of Secrets, ConfigMaps and DeleteOptions only, not"
              + " this "
              + contentType
              + " (use kubectl apply -f / create -f)");
    }
    if (call.method().equals("GET")) {
      return get(call);
    }
    if (user != null && ApiSecurity.isSelfReview(call)) {
      return security.selfReview(user, call);
    }
    if (call.param("dryRun") != null) {
      return Reply.status(400, "BadRequest", "the lab API does not emulate server-side dry runs");
    }
    Optional<ResourcePath> path = ResourcePath.parse(call.path());
    if (path.isEmpty()) {
      return Reply.status(404, "NotFound", "the server could not find the requested resource");
    }
    writes.lock();
    try {
      return write(call, path.get());
    } finally {
      writes.unlock();
      if (security != null) {
        security.written(path.get());
      }
    }
  }

  private Reply get(ApiCall call) {
    String p =
        call.path().endsWith("/") && call.path().length() > 1
            ? call.path().substring(0, call.path().length() - 1)
            : call.path();
    switch (p) {
      case "/version":
        return Reply.json(200, version());
      case "/openapi/v2":
        return new Reply(200, OPENAPI_V2_PROTOBUF, new byte[0]);
      case "/healthz", "/livez", "/readyz":
        return new Reply(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
      case "/api":
        return Reply.json(200, Discovery.apiVersions(bindAddress + ":" + port()));
      case "/apis":
        return Reply.json(200, Discovery.groupList(store.resources()));
      default:
        break;
    }
    List<String> segments = List.of(p.substring(1).split("/"));
    if (segments.get(0).equals("api") && segments.size() == 2) {
      return found(Discovery.resourceList("", segments.get(1), store.resources()));
    }
    if (segments.get(0).equals("apis") && segments.size() == 2) {
      return found(Discovery.group(segments.get(1), store.resources()));
    }
    if (segments.get(0).equals("apis") && segments.size() == 3) {
      return found(Discovery.resourceList(segments.get(1), segments.get(2), store.resources()));
    }
    Optional<ResourcePath> path = ResourcePath.parse(p);
    if (path.isEmpty()) {
      return Reply.status(404, "NotFound", "the server could not find the requested resource");
    }
    return readObjects(call, path.get());
  }

  private static Reply found(Optional<JsonNode> document) {
    return document
        .map(d -> Reply.json(200, d))
        .orElseGet(
            () ->
                Reply.status(404, "NotFound", "the server could not find the requested resource"));
  }

  private Reply readObjects(ApiCall call, ResourcePath path) {
    FieldSelector fields = FieldSelector.parse(call.param("fieldSelector"));
    MockResponse response =
        store.dispatch(HttpMethod.GET, call.path() + call.queryForStore(), null, "");
    if (response.code() == 404) {
      return notFound(path);
    }
    JsonNode doc = Json.parse(MockStore.body(response));
    if (path.isCollection() && doc.has("items")) {
      ObjectNode list = (ObjectNode) doc;
      List<JsonNode> items = new ArrayList<>();
      list.path("items").forEach(items::add);
      // kube-apiserver lists in key order: namespace, then name
      items.sort(
          java.util.Comparator.comparing(
                  (JsonNode i) -> i.path("metadata").path("namespace").asText())
              .thenComparing(i -> i.path("metadata").path("name").asText()));
      ArrayNode kept = Json.MAPPER.createArrayNode();
      items.stream().filter(fields::matches).forEach(kept::add);
      list.set("items", kept);
      store.kind(path).ifPresent(kind -> list.put("kind", kind + "List"));
      list.put("apiVersion", groupVersion(path));
    }
    if (call.wantsTable()) {
      doc = tables.table(doc, TableView.columns(path, store.crds()), call.param("includeObject"));
    }
    return Reply.json(response.code(), doc);
  }

  private Reply write(ApiCall call, ResourcePath path) {
    String contentType = call.contentType();
    MockResponse response;
    switch (call.method()) {
      case "POST" ->
          response = store.dispatch(HttpMethod.POST, call.path(), contentType, call.body());
      case "PUT" ->
          response = store.dispatch(HttpMethod.PUT, call.path(), contentType, call.body());
      case "DELETE" ->
          response =
              store.dispatch(HttpMethod.DELETE, call.path() + call.queryForStore(), null, "");
      case "PATCH" -> {
        if (!PatchTranslator.translates(contentType)) {
          response = store.dispatch(HttpMethod.PATCH, call.path(), contentType, call.body());
          break;
        }
        JsonNode patch = PatchTranslator.patchDocument(contentType, call.body());
        MockResponse current = store.dispatch(HttpMethod.GET, path.objectPath(), null, "");
        if (current.code() == 404) {
          if (PatchTranslator.isApply(contentType) && path.subresource() == null) {
            ObjectNode object = ((ObjectNode) patch).deepCopy();
            object.withObject("metadata").put("name", path.name());
            response =
                store.dispatch(
                    HttpMethod.POST, path.collectionPath(), "application/json", Json.write(object));
            break;
          }
          return notFound(path);
        }
        JsonNode jsonPatch =
            PatchTranslator.toJsonPatch(Json.parse(MockStore.body(current)), patch);
        response =
            store.dispatch(
                HttpMethod.PATCH, call.path(), PatchTranslator.JSON_PATCH, Json.write(jsonPatch));
      }
      default -> {
        return Reply.status(405, "MethodNotAllowed", call.method() + " is not supported");
      }
    }
    if (response.code() == 404 && MockStore.body(response).isEmpty()) {
      return notFound(path);
    }
    if (call.method().equals("POST") && response.code() == 409) {
      return alreadyExists(path, call.body());
    }
    int code = response.code() == 202 ? 200 : response.code();
    String body = MockStore.body(response);
    return new Reply(
        code, body.isEmpty() ? null : "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private void watch(HttpExchange exchange, ApiCall call) throws IOException {
    Optional<ResourcePath> path = ResourcePath.parse(call.path());
    if (path.isEmpty()) {
      ApiCall.send(
          exchange,
          Reply.status(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
    FieldSelector fields;
    try {
      fields = FieldSelector.parse(call.param("fieldSelector"));
    } catch (IllegalArgumentException e) {
      ApiCall.send(exchange, Reply.status(400, "BadRequest", e.getMessage()));
      return;
    }
    RecordedRequest request =
        MockStore.request(HttpMethod.GET, call.path() + call.queryForStore(), null, "");
    MockResponse response = store.dispatch(request);
    WebSocketListener listener = response.getWebSocketListener();
    if (listener == null) {
      ApiCall.send(exchange, Reply.status(500, "InternalError", "the store did not open a watch"));
      return;
    }
    WatchStream stream =
        new WatchStream(
            request, exchange.getResponseBody(), watchTransform(call, path.get(), fields));
    watches.add(stream);
    try {
      listener.onOpen(stream, response);
      stream.begin(
          () -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
          },
          initialBookmark(call, path.get()));
      stream.awaitEnd(watchTimeout(call));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      watches.remove(stream);
      stream.close(1000, "watch ended");
      listener.onClosed(stream, 1000, "watch ended");
    }
  }

  /**
   * A BOOKMARK at the requested resourceVersion, sent first when the client allows bookmarks (an
   * API server may send one at any time). fabric8 counts an HTTP watch as watching only once bytes
   * arrive, where a real API server's WebSocket watch counts at once; without it an informer on an
   * idle resource would never report healthy.
   */
  private JsonNode initialBookmark(ApiCall call, ResourcePath path) {
    if (!"true".equals(call.param("allowWatchBookmarks"))) {
      return null;
    }
    Optional<String> kind = store.kind(path);
    if (kind.isEmpty()) {
      return null;
    }
    com.fasterxml.jackson.databind.node.ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("type", "BOOKMARK");
    com.fasterxml.jackson.databind.node.ObjectNode object = event.putObject("object");
    object.put("kind", kind.get());
    object.put(
        "apiVersion",
        path.group().isEmpty() ? path.version() : path.group() + "/" + path.version());
    String version = call.param("resourceVersion");
    object.putObject("metadata").put("resourceVersion", version == null ? "0" : version);
    return event;
  }

  /**
   * Per event: drop objects the field selector excludes, drop the store's replay of objects the
   * client already listed (ADDED at or below the requested resourceVersion), render as Table.
   */
  private UnaryOperator<JsonNode> watchTransform(
      ApiCall call, ResourcePath path, FieldSelector fields) {
    long since = parseLong(call.param("resourceVersion"));
    boolean table = call.wantsTable();
    String includeObject = call.param("includeObject");
    return event -> {
      JsonNode object = event.path("object");
      if (!fields.matches(object)) {
        return null;
      }
      long version = parseLong(object.path("metadata").path("resourceVersion").asText());
      if (since > 0
          && "ADDED".equals(event.path("type").asText())
          && version > 0
          && version <= since) {
        return null;
      }
      if (table) {
        ((ObjectNode) event)
            .set(
                "object",
                tables.table(object, TableView.columns(path, store.crds()), includeObject));
      }
      return event;
    };
  }

  private static Duration watchTimeout(ApiCall call) {
    long seconds = parseLong(call.param("timeoutSeconds"));
    if (seconds <= 0) {
      return DEFAULT_WATCH_TIMEOUT;
    }
    Duration requested = Duration.ofSeconds(seconds);
    return requested.compareTo(MAX_WATCH_TIMEOUT) > 0 ? MAX_WATCH_TIMEOUT : requested;
  }

  private static long parseLong(String s) {
    if (s == null || !s.matches("\\d{1,18}")) {
      return -1;
    }
    return Long.parseLong(s);
  }

  /** kube-apiserver's 403: reason Forbidden, details naming the object when there is one. */
  private static Reply forbidden(AccessDecision decision) {
    ObjectNode status = Json.status(403, "Forbidden", decision.forbiddenMessage());
    RequestAttributes request = decision.request();
    ObjectNode details = status.putObject("details");
    if (request.resourceRequest()) {
      if (!request.name().isEmpty()) {
        details.put("name", request.name());
      }
      details.put("group", request.apiGroup());
      details.put("kind", request.resource());
    }
    return Reply.json(403, status);
  }

  /**
   * kube-apiserver's answer to a create of an existing object (the store says reason Invalid):
   * reason AlreadyExists, which clients such as Helm's CRD install tell apart from a conflict.
   */
  private static Reply alreadyExists(ResourcePath path, String body) {
    String name = Json.parse(body).path("metadata").path("name").asText("");
    ObjectNode status =
        Json.status(
            409, "AlreadyExists", path.qualifiedResource() + " \"" + name + "\" already exists");
    ObjectNode details = status.putObject("details");
    details.put("name", name);
    details.put("group", path.group());
    details.put("kind", path.plural());
    return Reply.json(409, status);
  }

  private Reply notFound(ResourcePath path) {
    ObjectNode status =
        Json.status(
            404,
            "NotFound",
            path.name() == null
                ? "the server could not find the requested resource"
                : path.qualifiedResource() + " \"" + path.name() + "\" not found");
    if (path.name() != null) {
      ObjectNode details = status.putObject("details");
      details.put("name", path.name());
      details.put("group", path.group());
      details.put("kind", path.plural());
    }
    return Reply.json(404, status);
  }

  private static String groupVersion(ResourcePath path) {
    return path.group().isEmpty() ? path.version() : path.group() + "/" + path.version();
  }

  private static JsonNode version() {
    ObjectNode v = Json.object();
    v.put("major", "1");
    v.put("minor", "32");
    v.put("gitVersion", "v1.32.0-pxe-lab");
    v.put("gitCommit", "0000000000000000000000000000000000000000");
    v.put("gitTreeState", "clean");
    v.put("buildDate", "2026-01-01T00:00:00Z");
    v.put("goVersion", "none");
    v.put("compiler", "none");
    v.put("platform", "linux/amd64");
    return v;
  }
}
