package lan.homelab.pxe.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.AnswerRequestFacts;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.install.DiscoveryOutcome;
import lan.homelab.pxe.install.InstallReports;
import lan.homelab.pxe.install.NotificationOutcome;
import lan.homelab.pxe.install.WebhookOutcome;
import lan.homelab.pxe.install.WebhookReport;
import lan.homelab.pxe.metrics.PxeMetrics;
import lan.homelab.pxe.secrets.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's one HTTP server (JDK {@code HttpServer}, bounded thread pool, capped bodies, a
 * deadline for reading each request). Every refusal is a 4xx with a JSON body {@code {"error":
 * "<reason>"}} and changes nothing. Endpoints:
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><th>Method, path</th><th>Caller, auth</th><th>Answers</th></tr>
 * <tr><td>{@code POST /v1/dhcp-events}</td><td>dnsmasq's lease hook; header {@code
 *     X-Pxe-Hook-Token}</td><td>JSON of {@link DhcpEvent} (64 KiB max). 202 {@code
 *     {"outcome":"registered","nodeInstall":...}}; 200 {@code already-known} or {@code ignored}
 *     (del events, non-PXE clients, deny-listed MACs); 429 {@code over-bound}: a new MAC while
 *     {@code maxUnclaimedInstalls} intake installs hold no slot, nothing created</td></tr>
 * <tr><td>{@code POST /v1/webhook/<nodeinstall>/<token>}</td><td>the Proxmox installer, through
 *     nginx; the per-node token in the URL (and in the body's {@code token} for installer
 *     9.2)</td><td>the installer's JSON (1 MiB max): 200 accepted or already provisioned, 403 bad
 *     token or MAC mismatch, 404 unknown install, 409 not installing</td></tr>
 * <tr><td>{@code POST /v1/notify/answer-served}</td><td>nginx {@code mirror} of the answer request;
 *     headers {@code X-Pxe-Hook-Token}, {@code X-Real-IP} (the installer's address), {@code
 *     Content-Type: application/json}; body = the installer's answer request</td><td>200 {@code
 *     {"outcome":"recorded","nodeInstall":...}}; 404 when no install is Installing at that
 *     address</td></tr>
 * <tr><td>{@code GET|POST /v1/notify/boot-script-served?install=<nodeinstall>}</td><td>nginx
 *     {@code mirror} of the per-node iPXE script fetch; headers {@code X-Pxe-Hook-Token}, {@code
 *     X-Real-IP}</td><td>200 recorded; 403 when X-Real-IP is neither the slot address nor one
 *     leased to the install's MAC (counted, changes nothing); 404 unknown install</td></tr>
 * <tr><td>{@code GET|POST /v1/notify/boot-refused?install=<nodeinstall>&reason=memory|address
 *     &memsize=<MiB>}</td><td>nginx, when a per-node iPXE script refuses to boot the installer;
 *     headers {@code X-Pxe-Hook-Token}, {@code X-Real-IP}</td><td>200 recorded (the install
 *     becomes Failed); 403 when X-Real-IP does not count (reason address: only addresses leased
 *     to the MAC; memory: those or the slot address); 404 unknown install</td></tr>
 * <tr><td>{@code GET /}</td><td>people</td><td>the status page (refreshes itself from the JSON
 *     API every 2 s)</td></tr>
 * <tr><td>{@code GET /api/v1/status}</td><td>anyone</td><td>{@link StatusSnapshot} as JSON (from
 *     the operator's caches: no API call)</td></tr>
 * <tr><td>{@code GET /metrics}</td><td>Prometheus</td><td>text exposition format (phase gauges from
 *     the same caches)</td></tr>
 * <tr><td>{@code GET /readyz}, {@code GET /healthz}</td><td>kubelet</td><td>{@link ProbeHealth}:
 *     readyz 503 while an event source is unhealthy, healthz 503 once it has been for 5 min; the
 *     body lists the problems</td></tr>
 * </table>
 *
 * <p>The nginx side, for the record: {@code location = /answer { mirror /_notify_answer;
 * mirror_request_body on; ... } location = /_notify_answer { internal; proxy_pass
 * http://OPERATOR/v1/notify/answer-served; proxy_set_header X-Real-IP $remote_addr;
 * proxy_set_header X-Pxe-Hook-Token TOKEN; proxy_set_header Content-Type application/json; }} and
 * likewise {@code proxy_pass http://OPERATOR/v1/notify/boot-script-served?install=NAME} for the
 * per-node boot script. The operator records an answer only for the install Installing at that
 * address, which is the one nginx serves an answer to.
 */
public final class OperatorHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperatorHttpServer.class);

  /** JDK property: seconds a client may take to send one request (headers and body). */
  static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";

  /** Default for {@link #MAX_REQUEST_TIME_PROPERTY}: nothing legitimate is slower on a LAN. */
  static final String MAX_REQUEST_SECONDS = "5";

  static final int SMALL_BODY_LIMIT = 64 * 1024;
  static final int WEBHOOK_BODY_LIMIT = 1024 * 1024;
  static final int THREADS = 8;
  static final int QUEUE = 64;

  private static final Pattern INSTALL_NAME = Pattern.compile("[0-9a-f]{2}(-[0-9a-f]{2}){5}");
  private static final Pattern URL_TOKEN = Pattern.compile("[A-Za-z0-9._~-]{1,256}");

  static {
    // Read once by the JDK when its first HttpServer is made; the reaper closes slow requests.
    if (System.getProperty(MAX_REQUEST_TIME_PROPERTY) == null) {
      System.setProperty(MAX_REQUEST_TIME_PROPERTY, MAX_REQUEST_SECONDS);
    }
  }

  private final InstallReports reports;
  private final StatusSource status;
  private final OperatorSettings settings;
  private final PxeMetrics metrics;
  private final ProbeHealth health;
  private final Clock clock;
  private final Supplier<Optional<String>> hookToken;
  private final byte[] statusHtml = resource("status.html");
  private final byte[] statusJs = resource("status.js");
  private HttpServer server;
  private ThreadPoolExecutor executor;

  public OperatorHttpServer(
      InstallReports reports,
      StatusSource status,
      OperatorSettings settings,
      PxeMetrics metrics,
      ProbeHealth health,
      Clock clock,
      Supplier<Optional<String>> hookToken) {
    this.reports = reports;
    this.status = status;
    this.settings = settings;
    this.metrics = metrics;
    this.health = health;
    this.clock = clock;
    this.hookToken = hookToken;
  }

  /** Listens on every interface; port 0 picks a free port (see {@link #port()}). */
  public OperatorHttpServer start(int port) throws IOException {
    return start(new InetSocketAddress(port));
  }

  public synchronized OperatorHttpServer start(InetSocketAddress address) throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    AtomicInteger threadNumber = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "pxe-http-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    executor.allowCoreThreadTimeOut(true);
    server = HttpServer.create(address, 128);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    log.info("HTTP server listening on {}", server.getAddress());
    return this;
  }

  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.getAddress().getPort();
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  private void handle(HttpExchange ex) {
    try (ex) {
      try {
        route(ex);
      } catch (HttpError e) {
        refuse(ex, e);
      } catch (KubernetesClientException e) {
        log.warn(
            "{} {}: Kubernetes API call failed: {}",
            ex.getRequestMethod(),
            path(ex),
            e.getMessage());
        refuse(ex, new HttpError(503, "the Kubernetes API is unavailable; try again"));
      } catch (RuntimeException e) {
        log.error("{} {} failed", ex.getRequestMethod(), path(ex), e);
        refuse(ex, new HttpError(500, "internal error"));
      }
    } catch (IOException | UncheckedIOException e) {
      log.debug("{} {}: connection failed: {}", ex.getRequestMethod(), path(ex), e.toString());
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String path = path(ex);
    switch (path) {
      case "/" -> {
        allow(ex, "GET");
        send(ex, 200, "text/html; charset=utf-8", statusHtml);
      }
      case "/status.js" -> {
        allow(ex, "GET");
        send(ex, 200, "text/javascript; charset=utf-8", statusJs);
      }
      case "/api/v1/status" -> {
        allow(ex, "GET");
        StatusSnapshot snapshot = snapshot();
        sendJson(ex, 200, snapshot);
      }
      case "/metrics" -> {
        allow(ex, "GET");
        snapshot();
        send(
            ex,
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.scrape().getBytes(StandardCharsets.UTF_8));
      }
      case "/healthz" -> {
        allow(ex, "GET");
        boolean live = health.live();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", live ? "ok" : "unready for too long");
        body.put("problems", health.problems());
        sendJson(ex, live ? 200 : 503, body);
      }
      case "/readyz" -> {
        allow(ex, "GET");
        List<String> problems = health.problems();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", problems.isEmpty() ? "ready" : "not ready");
        body.put("problems", problems);
        sendJson(ex, problems.isEmpty() ? 200 : 503, body);
      }
      case "/v1/dhcp-events" -> dhcpEvent(ex);
      case "/v1/notify/answer-served" -> answerServed(ex);
      case "/v1/notify/boot-script-served" -> bootScriptServed(ex);
      case "/v1/notify/boot-refused" -> bootRefused(ex);
      default -> {
        if (path.startsWith("/v1/webhook/")) {
          webhook(ex, path.substring("/v1/webhook/".length()));
        } else {
          throw new HttpError(404, "no such path");
        }
      }
    }
  }

  private StatusSnapshot snapshot() {
    StatusSnapshot snapshot = StatusSnapshot.of(status, settings.namespace(), clock);
    metrics.slotsByPhase(snapshot.slotsByPhase());
    metrics.installsByPhase(snapshot.installsByPhase());
    return snapshot;
  }

  private void dhcpEvent(HttpExchange ex) throws IOException {
    DhcpEvent event;
    try {
      allow(ex, "POST");
      requireHookToken(ex);
      requireJson(ex);
      event = DhcpEvent.parse(body(ex, SMALL_BODY_LIMIT));
    } catch (HttpError e) {
      metrics.dhcpEvent("refused-" + e.status());
      throw e;
    }
    if (event.action().equals("del")) {
      metrics.dhcpEvent("ignored");
      sendJson(ex, 200, outcome("ignored", "reason", "del events change nothing"));
      return;
    }
    DiscoveryOutcome outcome = reports.discovered(event.report());
    if (outcome instanceof DiscoveryOutcome.Registered registered) {
      metrics.dhcpEvent("registered");
      sendJson(ex, 202, outcome("registered", "nodeInstall", registered.nodeInstall()));
    } else if (outcome instanceof DiscoveryOutcome.AlreadyKnown known) {
      metrics.dhcpEvent("already-known");
      Map<String, Object> body = outcome("already-known", "nodeInstall", known.nodeInstall());
      body.put("phase", known.phase() == null ? null : known.phase().name());
      sendJson(ex, 200, body);
    } else if (outcome instanceof DiscoveryOutcome.OverBound over) {
      metrics.dhcpEvent("over-bound");
      sendJson(
          ex,
          429,
          outcome(
              "over-bound",
              "reason",
              over.bound()
                  + " NodeInstalls without a slot (maxUnclaimedInstalls): not registered; its"
                  + " next lease event asks again"));
    } else if (outcome instanceof DiscoveryOutcome.Ignored ignored) {
      metrics.dhcpEvent("ignored");
      sendJson(ex, 200, outcome("ignored", "reason", ignored.reason()));
    }
  }

  private void webhook(HttpExchange ex, String rest) throws IOException {
    int slash = rest.indexOf('/');
    String name = slash < 0 ? rest : rest.substring(0, slash);
    String token = slash < 0 ? "" : rest.substring(slash + 1);
    if (!INSTALL_NAME.matcher(name).matches() || !URL_TOKEN.matcher(token).matches()) {
      throw new HttpError(404, "no such webhook");
    }
    WebhookReport report;
    try {
      allow(ex, "POST");
      requireJson(ex);
      report = WebhookPayload.parse(body(ex, WEBHOOK_BODY_LIMIT));
    } catch (HttpError e) {
      metrics.webhook("refused-" + e.status());
      throw e;
    }
    WebhookOutcome outcome = reports.webhookReceived(name, token, report);
    metrics.webhook(outcome.name().toLowerCase(Locale.ROOT));
    if (outcome.httpStatus() >= 400) {
      log.warn("webhook for {} refused: {}", name, outcome.message());
    }
    Map<String, Object> body =
        outcome(outcome.name().toLowerCase(Locale.ROOT), "nodeInstall", name);
    body.put(outcome.httpStatus() >= 400 ? "error" : "message", outcome.message());
    sendJson(ex, outcome.httpStatus(), body);
  }

  private void answerServed(HttpExchange ex) throws IOException {
    Ipv4 address;
    AnswerRequestFacts facts;
    try {
      allow(ex, "POST");
      requireHookToken(ex);
      address = realIp(ex);
      requireJson(ex);
      facts = AnswerRequest.parse(body(ex, SMALL_BODY_LIMIT));
    } catch (HttpError e) {
      metrics.answerServed("refused-" + e.status());
      throw e;
    }
    Optional<String> install = reports.answerServed(address, facts);
    if (install.isEmpty()) {
      metrics.answerServed("no-install");
      throw new HttpError(404, "no install is Installing at " + address);
    }
    metrics.answerServed("recorded");
    sendJson(ex, 200, outcome("recorded", "nodeInstall", install.get()));
  }

  private void bootScriptServed(HttpExchange ex) throws IOException {
    String name;
    Ipv4 client;
    try {
      allow(ex, "GET", "POST");
      requireHookToken(ex);
      name = query(ex).get("install");
      if (name == null || !INSTALL_NAME.matcher(name).matches()) {
        throw HttpError.badRequest("query parameter install must name a NodeInstall (aa-bb-...)");
      }
      client = realIp(ex);
    } catch (HttpError e) {
      metrics.notification("boot-script-served", "refused-" + e.status());
      throw e;
    }
    notified(ex, "boot-script-served", name, reports.bootScriptServed(name, client));
  }

  private void bootRefused(HttpExchange ex) throws IOException {
    String name;
    String reason;
    String memsize;
    Ipv4 client;
    try {
      allow(ex, "GET", "POST");
      requireHookToken(ex);
      Map<String, String> query = query(ex);
      name = query.get("install");
      reason = query.getOrDefault("reason", "");
      memsize = query.getOrDefault("memsize", "");
      if (name == null || !INSTALL_NAME.matcher(name).matches()) {
        throw HttpError.badRequest("query parameter install must name a NodeInstall (aa-bb-...)");
      }
      if (!reason.equals("memory") && !reason.equals("address") || !memsize.matches("[0-9]{0,9}")) {
        throw HttpError.badRequest("reason must be memory or address and memsize a number of MiB");
      }
      client = realIp(ex);
    } catch (HttpError e) {
      metrics.notification("boot-refused", "refused-" + e.status());
      throw e;
    }
    notified(ex, "boot-refused", name, reports.bootRefused(name, reason, memsize, client));
  }

  private void notified(HttpExchange ex, String kind, String name, NotificationOutcome outcome)
      throws IOException {
    metrics.notification(kind, outcome.label());
    if (outcome != NotificationOutcome.RECORDED) {
      throw new HttpError(outcome.httpStatus(), outcome.message());
    }
    sendJson(ex, 200, outcome("recorded", "nodeInstall", name));
  }

  /** The client address nginx forwards in {@code X-Real-IP}; 400 when missing or not IPv4. */
  private static Ipv4 realIp(HttpExchange ex) {
    String realIp = ex.getRequestHeaders().getFirst("X-Real-IP");
    return Ipv4.tryParse(realIp)
        .orElseThrow(() -> HttpError.badRequest("header X-Real-IP must be an IPv4 address"));
  }

  private static Map<String, Object> outcome(String outcome, String key, Object value) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("outcome", outcome);
    body.put(key, value);
    return body;
  }

  private void requireHookToken(HttpExchange ex) {
    Optional<String> expected = hookToken.get();
    if (expected.isEmpty()) {
      throw new HttpError(
          503, "the hook token is not configured (Secret " + Names.SECRET_DHCP_HOOK + ")");
    }
    String presented = ex.getRequestHeaders().getFirst(Names.HEADER_HOOK_TOKEN);
    if (presented == null || presented.isEmpty()) {
      throw new HttpError(401, "missing header " + Names.HEADER_HOOK_TOKEN);
    }
    if (!Tokens.matches(expected.get(), presented)) {
      throw new HttpError(403, "wrong " + Names.HEADER_HOOK_TOKEN);
    }
  }

  private static void allow(HttpExchange ex, String... methods) {
    for (String method : methods) {
      if (method.equals(ex.getRequestMethod())) {
        return;
      }
    }
    throw HttpError.methodNotAllowed(String.join(", ", methods));
  }

  private static void requireJson(HttpExchange ex) {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json")) {
      throw new HttpError(415, "Content-Type must be application/json");
    }
  }

  /** The body, at most {@code limit} bytes; 413 before reading when Content-Length says more. */
  static byte[] body(HttpExchange ex, int limit) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        throw HttpError.badRequest("bad Content-Length");
      }
      if (declared > limit) {
        throw new HttpError(413, "body larger than " + limit + " bytes");
      }
    }
    InputStream in = ex.getRequestBody();
    byte[] data = in.readNBytes(limit + 1);
    if (data.length > limit) {
      throw new HttpError(413, "body larger than " + limit + " bytes");
    }
    return data;
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> result = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return result;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      try {
        String key =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (result.put(key, value) != null) {
          throw HttpError.badRequest("query parameter " + key + " given twice");
        }
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("malformed query string");
      }
    }
    return result;
  }

  private static String path(HttpExchange ex) {
    String path = ex.getRequestURI().getRawPath();
    return path == null ? "" : path;
  }

  private static void refuse(HttpExchange ex, HttpError e) throws IOException {
    if (ex.getResponseCode() != -1) {
      return; // headers already sent: nothing more to say
    }
    if (e.allow() != null) {
      ex.getResponseHeaders().set("Allow", e.allow());
    }
    ex.getResponseHeaders().set("Connection", "close");
    sendJson(ex, e.status(), Map.of("error", e.getMessage()));
  }

  private static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
    send(ex, status, "application/json", Json.write(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    var headers = ex.getResponseHeaders();
    headers.set("Content-Type", type);
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'");
    headers.set("Referrer-Policy", "no-referrer");
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    // closing the stream flushes the answer before the JDK drains an unread request body
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = OperatorHttpServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
