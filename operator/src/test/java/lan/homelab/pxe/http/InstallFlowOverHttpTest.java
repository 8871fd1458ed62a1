package lan.homelab.pxe.http;

import static lan.homelab.pxe.http.HttpFixture.HOOK_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One machine's way through every endpoint, with the leader's claim simulated by writing what the
 * reconciler writes (phase Installing, address, token Secret).
 */
class InstallFlowOverHttpTest {
  static final String NAME = "b4-2e-99-ac-ad-b4";
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

  static String resource(String name) throws Exception {
    try (InputStream in = InstallFlowOverHttpTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldRecordEveryStepOfOneMachine() throws Exception {
    HttpResponse<String> discovered =
        fx.post(
            "/v1/dhcp-events",
            "application/json",
            "{\"action\":\"add\",\"mac\":\"B4:2E:99:AC:AD:B4\",\"ip\":\"10.11.3.200\","
                + "\"vendorClass\":\"PXEClient:Arch:00007:UNDI:003016\",\"tags\":\"x86-64-efi\"}",
            "X-Pxe-Hook-Token",
            HOOK_TOKEN);
    assertThat(discovered.statusCode()).isEqualTo(202);

    NodeInstall ni = fx.nodeInstall(NAME);
    ni.getSpec().setSlot("peach-beach");
    ni.getMetadata().setLabels(java.util.Map.of(ApiConstants.LABEL_ADDRESS, "10.11.0.2"));
    ni = fx.client.resource(ni).update();
    ni.getStatus().setPhase(NodeInstallPhase.Installing);
    ni.getStatus().setAddress("10.11.0.2");
    ni.getStatus().setHostname("peach-beach");
    fx.client.resource(ni).updateStatus();
    fx.secret(Names.tokenSecret(NAME), "flow-token-0123456789abcdef0123");

    assertThat(
            fx.get(
                    "/v1/notify/boot-script-served?install=" + NAME,
                    "X-Pxe-Hook-Token",
                    HOOK_TOKEN,
                    "X-Real-IP",
                    "10.11.0.2")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            fx.post(
                    "/v1/notify/answer-served",
                    "application/json; charset=utf-8",
                    resource("answer-request-body.v9.2.json"),
                    "X-Pxe-Hook-Token",
                    HOOK_TOKEN,
                    "X-Real-IP",
                    "10.11.0.2")
                .statusCode())
        .isEqualTo(200);
    String webhook =
        resource("post-hook-body.v1.2.json")
            .replace(
                "only-present-on-9.2+-when-auth-token-is-set", "flow-token-0123456789abcdef0123");
    assertThat(
            fx.post(
                    "/v1/webhook/" + NAME + "/flow-token-0123456789abcdef0123",
                    "application/json",
                    webhook)
                .statusCode())
        .isEqualTo(200);

    var status = fx.nodeInstall(NAME).getStatus();
    assertThat(status.getDiscoveredAt()).isNotNull();
    assertThat(status.getBootScriptServedAt()).isNotNull();
    assertThat(status.getAnswerServedAt()).isNotNull();
    assertThat(status.getAnswerRequest().getMacMatches()).isTrue();
    assertThat(status.getWebhookReceivedAt()).isNotNull();
    assertThat(status.getInventory().getSshHostKeys()).hasSize(3);
    await()
        .untilAsserted(
            () ->
                assertThat(fx.get("/api/v1/status").body())
                    .contains("\"bootScriptServedAt\":\"2026-11-26T16:00:00Z\"")
                    .contains("\"answerServedAt\":\"2026-11-26T16:00:00Z\"")
                    .contains("\"webhookReceivedAt\":\"2026-11-26T16:00:00Z\"")
                    .contains("\"reason\":\"AnswerServed\""));
  }

  @Test
  void shouldCreateOneNodeInstallWhenTheSameMacReportsManyTimesAtOnce() throws Exception {
    String event =
        "{\"action\":\"add\",\"mac\":\"52:54:00:12:34:56\",\"ip\":\"10.11.3.200\","
            + "\"vendorClass\":\"PXEClient:Arch:00000:UNDI:002001\"}";
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> calls =
          IntStream.range(0, 16)
              .<Callable<Integer>>mapToObj(
                  i ->
                      () ->
                          fx.post(
                                  "/v1/dhcp-events",
                                  "application/json",
                                  event,
                                  "X-Pxe-Hook-Token",
                                  HOOK_TOKEN)
                              .statusCode())
              .toList();
      List<Integer> statuses =
          pool.invokeAll(calls).stream().map(InstallFlowOverHttpTest::get).toList();

      assertThat(statuses).containsOnly(200, 202);
      assertThat(statuses.stream().filter(s -> s == 202)).hasSize(1);
      assertThat(
              fx.client.resources(NodeInstall.class).inNamespace(HttpFixture.NS).list().getItems())
          .hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Integer get(Future<Integer> f) {
    try {
      return f.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
