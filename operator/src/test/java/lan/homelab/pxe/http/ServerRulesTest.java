package lan.homelab.pxe.http;

import static lan.homelab.pxe.http.HttpFixture.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EventBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerRulesTest {
  static HttpFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new HttpFixture();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @BeforeEach
  void reset() {
    fx.reset();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/nope",
        "/v1",
        "/v1/",
        "/api/v1/status/extra",
        "/v1/dhcp-events/x",
        "/index.html",
        "/../etc/passwd",
        "/%2e%2e/metrics",
        "/v1/notify"
      })
  void shouldAnswerUnknownPathsWith404(String path) {
    assertReason(fx.get(path), 404, "no such path");
    assertThat(fx.state()).isEmpty();
  }

  static Stream<Arguments> wrongMethods() {
    return Stream.of(
        Arguments.of("POST", "/", "GET"),
        Arguments.of("DELETE", "/api/v1/status", "GET"),
        Arguments.of("PUT", "/metrics", "GET"),
        Arguments.of("POST", "/healthz", "GET"),
        Arguments.of("PATCH", "/readyz", "GET"),
        Arguments.of("PUT", "/v1/dhcp-events", "POST"),
        Arguments.of("DELETE", "/v1/notify/boot-script-served", "GET, POST"),
        Arguments.of("HEAD", "/api/v1/status", "GET"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("wrongMethods")
  void shouldRefuseWrongMethodsWith405AndAllow(String method, String path, String allow) {
    HttpResponse<String> response =
        fx.send(
            HttpRequest.newBuilder(fx.uri(path))
                .method(method, HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).contains(allow);
    if (!method.equals("HEAD")) {
      assertThat(response.body()).contains("method not allowed");
    }
    assertThat(fx.state()).isEmpty();
  }

  @Test
  void shouldReportHealthAndReadiness() {
    assertThat(fx.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(fx.get("/readyz").statusCode()).isEqualTo(200);

    fx.ready.set(false);

    assertThat(fx.get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> notReady = fx.get("/readyz");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("not ready");
  }

  @Test
  void shouldNameTheUnhealthyEventSourceAndStayLive() {
    fx.unhealthy.set(List.of("nodeinstall/node-files"));

    HttpResponse<String> notReady = fx.get("/readyz");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("event source nodeinstall/node-files is not healthy");
    assertThat(fx.get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldServeTheQueueInOrderAndEveryInstallAsJson() {
    fx.slot("moo-moo-meadows", "10.11.0.3", 2, SlotPhase.Available, null);
    fx.slot("peach-beach", "10.11.0.2", 1, SlotPhase.Claimed, "52-54-00-00-00-01");
    var ni = fx.install("52:54:00:00:00:01", NodeInstallPhase.Installing, "10.11.0.2", null);
    fx.install("52:54:00:00:00:02", NodeInstallPhase.Waiting, null, null);
    event(ni.getMetadata().getName(), "Claimed", "took slot peach-beach", "2026-11-26T15:00:00Z");
    event(ni.getMetadata().getName(), "AnswerServed", "fetched", "2026-11-26T15:05:00Z");

    await()
        .untilAsserted(
            () -> {
              HttpResponse<String> response = fx.get("/api/v1/status");
              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(response.headers().firstValue("Content-Type"))
                  .contains("application/json");
              String json = response.body();
              assertThat(json).contains("\"generatedAt\":\"2026-11-26T16:00:00Z\"");
              assertThat(json.indexOf("peach-beach")).isLessThan(json.indexOf("moo-moo-meadows"));
              assertThat(json)
                  .contains("\"holder\":\"52-54-00-00-00-01\"")
                  .contains("\"phase\":\"Installing\"")
                  .contains("\"phase\":\"Waiting\"")
                  .contains("\"lastEvent\":{\"type\":\"Normal\",\"reason\":\"AnswerServed\"");
            });
  }

  @Test
  void shouldExposeCountersAndPhaseGaugesToPrometheus() {
    fx.slot("peach-beach", "10.11.0.2", 1, SlotPhase.Claimed, "52-54-00-00-00-01");
    fx.slot("moo-moo-meadows", "10.11.0.3", 2, SlotPhase.Available, null);
    fx.install("52:54:00:00:00:01", NodeInstallPhase.Installing, "10.11.0.2", null);
    fx.post("/v1/dhcp-events", "application/json", "{}");

    await()
        .untilAsserted(
            () -> {
              HttpResponse<String> response = fx.get("/metrics");
              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(response.headers().firstValue("Content-Type"))
                  .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
              assertThat(response.body())
                  .contains("pxe_slots{phase=\"Claimed\"} 1.0")
                  .contains("pxe_slots{phase=\"Available\"} 1.0")
                  .contains("pxe_slots{phase=\"Provisioned\"} 0.0")
                  .contains("pxe_installs{phase=\"Installing\"} 1.0")
                  .contains("pxe_installs{phase=\"Failed\"} 0.0")
                  .contains("pxe_dhcp_events_total{outcome=\"refused-401\"}")
                  .contains("pxe_claim_latency_seconds_bucket");
            });
  }

  @Test
  void shouldServeTheStatusPageWithAStrictContentSecurityPolicy() {
    HttpResponse<String> page = fx.get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
    assertThat(page.body()).contains("<script src=\"status.js\"></script>");
    assertThat(fx.get("/status.js").body()).contains("textContent").doesNotContain("innerHTML");
  }

  @Test
  void shouldKeepServingOthersWhileOneClientIsSlow() throws Exception {
    try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), fx.server.port())) {
      slow.getOutputStream()
          .write(
              "POST /v1/dhcp-events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
                  .getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();

      long started = System.nanoTime();
      assertThat(fx.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void shouldCloseSlowClientsSoTheyCannotExhaustTheThreads() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < OperatorHttpServer.THREADS + 4; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), fx.server.port());
        s.setSoTimeout(15_000);
        // headers dribbled, never finished: each one holds a server thread until the deadline
        s.getOutputStream()
            .write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
      }
      long started = System.nanoTime();

      HttpResponse<String> other = fx.get("/healthz");

      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      assertThat(other.statusCode()).isEqualTo(200);
      assertThat(waited).isLessThan(Duration.ofSeconds(9));
      for (Socket s : slow) {
        assertThat(closedByServer(s.getInputStream())).isTrue();
      }
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  private static boolean closedByServer(InputStream in) throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Test
  void shouldReturnToServiceAfterRefusingEveryKindOfBadInput() throws Exception {
    fx.raw("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    fx.raw("GET / HTTP/9.9\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    fx.raw(
        ("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));

    await().atMost(Duration.ofSeconds(5)).until(() -> fx.get("/healthz").statusCode() == 200);
  }

  private static void event(String install, String reason, String message, String time) {
    fx.client
        .v1()
        .events()
        .inNamespace(HttpFixture.NS)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(install + "." + reason.toLowerCase())
                .endMetadata()
                .withNewInvolvedObject()
                .withKind("NodeInstall")
                .withName(install)
                .withNamespace(HttpFixture.NS)
                .endInvolvedObject()
                .withType("Normal")
                .withReason(reason)
                .withMessage(message)
                .withLastTimestamp(time)
                .build())
        .create();
  }
}
