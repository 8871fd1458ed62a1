package lan.homelab.pxe.http;

import static lan.homelab.pxe.http.HttpFixture.HOOK_TOKEN;
import static lan.homelab.pxe.http.HttpFixture.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import lan.homelab.pxe.api.v1alpha1.AnswerRequestFacts;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifyTest {
  static final String ANSWER = "/v1/notify/answer-served";
  static final String BOOT = "/v1/notify/boot-script-served";
  static final String REFUSED = "/v1/notify/boot-refused";
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
    fx.install("b4:2e:99:ac:ad:b4", NodeInstallPhase.Installing, "10.11.0.2", "t0ken");
  }

  static String example(String file) throws Exception {
    try (InputStream in = NotifyTest.class.getResourceAsStream(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  HttpResponse<String> answerServed(String ip, String token, String json) {
    return token == null
        ? fx.post(ANSWER, "application/json", json, "X-Real-IP", ip)
        : fx.post(ANSWER, "application/json", json, "X-Real-IP", ip, "X-Pxe-Hook-Token", token);
  }

  @Test
  void shouldRecordTheAnswerFetchOfThe92InstallerWithUpperCaseMacs() throws Exception {
    HttpResponse<String> response =
        answerServed("10.11.0.2", HOOK_TOKEN, example("answer-request-body.v9.2.json"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"nodeInstall\":\"" + NAME + "\"");
    var status = fx.nodeInstall(NAME).getStatus();
    assertThat(status.getAnswerServedAt()).isEqualTo("2026-11-26T16:00:00Z");
    AnswerRequestFacts facts = status.getAnswerRequest();
    assertThat(facts.getProduct()).isEqualTo("pve");
    assertThat(facts.getIsoRelease()).isEqualTo("9.2-1");
    assertThat(facts.getSystemSerial()).isEqualTo("S123456789");
    assertThat(facts.getSystemUuid()).isEqualTo("00000000-0000-0000-0000-ac1f6b000001");
    assertThat(facts.getMacs()).containsExactly("b4:2e:99:ac:ad:b4", "b4:2e:99:ac:ad:b5");
    assertThat(facts.getMacMatches()).isTrue();
    assertThat(fx.eventReasons(NAME)).contains("AnswerServed");
  }

  @Test
  void shouldRecordAMacMismatchOfAnOlderInstaller() throws Exception {
    String json =
        example("answer-request-body.v8.3-to-9.1.json")
            .replace("b4:2e:99:ac:ad:b4", "02:00:00:00:00:01");

    HttpResponse<String> response = answerServed("10.11.0.2", HOOK_TOKEN, json);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(fx.nodeInstall(NAME).getStatus().getAnswerRequest().getMacMatches()).isFalse();
    assertThat(fx.eventReasons(NAME)).contains("MacMismatch");
  }

  @Test
  void shouldAnswer404ForAnAddressWithoutAnInstall() throws Exception {
    String before = fx.state();

    HttpResponse<String> response =
        answerServed("10.11.0.9", HOOK_TOKEN, example("answer-request-body.v9.2.json"));

    assertReason(response, 404, "no install is Installing at 10.11.0.9");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldRefuseStrangersAndMalformedNotifications() throws Exception {
    String body = example("answer-request-body.v9.2.json");
    String before = fx.state();

    assertReason(answerServed("10.11.0.2", null, body), 401, "missing header X-Pxe-Hook-Token");
    assertReason(answerServed("10.11.0.2", "guess", body), 403, "wrong X-Pxe-Hook-Token");
    assertReason(answerServed("10.11.0.256", HOOK_TOKEN, body), 400, "X-Real-IP");
    assertReason(answerServed("10.11.0.2", HOOK_TOKEN, "{"), 400, "invalid JSON");
    assertReason(answerServed("10.11.0.2", HOOK_TOKEN, "{}"), 400, "network_interfaces");
    assertReason(
        fx.post(
            ANSWER, "text/plain", body, "X-Real-IP", "10.11.0.2", "X-Pxe-Hook-Token", HOOK_TOKEN),
        415,
        "application/json");
    assertReason(fx.get(ANSWER, "X-Pxe-Hook-Token", HOOK_TOKEN), 405, "POST");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldRecordTheFirstBootScriptFetchOnGetOrPost() {
    HttpResponse<String> get =
        fx.get(BOOT + "?install=" + NAME, "X-Pxe-Hook-Token", HOOK_TOKEN, "X-Real-IP", "10.11.0.2");

    assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
    assertThat(fx.nodeInstall(NAME).getStatus().getBootScriptServedAt())
        .isEqualTo("2026-11-26T16:00:00Z");
    String before = fx.state();
    HttpResponse<String> post =
        fx.send(
            HttpRequest.newBuilder(fx.uri(BOOT + "?install=" + NAME))
                .header("X-Pxe-Hook-Token", HOOK_TOKEN)
                .header("X-Real-IP", "10.11.0.2")
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(fx.state()).as("only the first fetch is recorded").isEqualTo(before);
  }

  @Test
  void shouldRefuseBootScriptNotificationsFromStrangersOrForNobody() {
    String before = fx.state();

    assertReason(fx.get(BOOT + "?install=" + NAME), 401, "missing header");
    assertReason(fx.get(BOOT + "?install=" + NAME, "X-Pxe-Hook-Token", "x"), 403, "wrong");
    assertReason(fx.get(BOOT, "X-Pxe-Hook-Token", HOOK_TOKEN), 400, "install");
    assertReason(fx.get(BOOT + "?install=../x", "X-Pxe-Hook-Token", HOOK_TOKEN), 400, "install");
    assertReason(
        fx.get(BOOT + "?install=" + NAME + "&install=" + NAME, "X-Pxe-Hook-Token", HOOK_TOKEN),
        400,
        "given twice");
    assertReason(
        fx.get(BOOT + "?install=" + NAME, "X-Pxe-Hook-Token", HOOK_TOKEN), 400, "X-Real-IP");
    assertReason(
        fx.get(
            BOOT + "?install=02-00-00-00-00-09",
            "X-Pxe-Hook-Token",
            HOOK_TOKEN,
            "X-Real-IP",
            "10.11.0.2"),
        404,
        "no such install");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldAnswer403AndChangeNothingWhenABootScriptFetchComesFromAnotherAddress() {
    String before = fx.state();

    HttpResponse<String> forged =
        fx.get(
            BOOT + "?install=" + NAME, "X-Pxe-Hook-Token", HOOK_TOKEN, "X-Real-IP", "10.11.0.64");

    assertReason(forged, 403, "does not come from an address of this machine");
    assertThat(fx.state()).isEqualTo(before);
    assertThat(fx.metrics.scrape())
        .contains(
            "pxe_notifications_total{kind=\"boot-script-served\",outcome=\"not-from-machine\"} 1.0");
  }

  @Test
  void shouldAnswer403AndKeepTheInstallInstallingWhenARefusalComesFromAStranger() {
    String before = fx.state();

    for (String reason : List.of("memory/1", "address/")) {
      HttpResponse<String> forged =
          fx.get(
              REFUSED + "?install=" + NAME + "&reason=" + reason.replace("/", "&memsize="),
              "X-Pxe-Hook-Token",
              HOOK_TOKEN,
              "X-Real-IP",
              "10.11.0.64");
      assertReason(forged, 403, "does not come from an address of this machine");
    }

    assertThat(fx.state()).isEqualTo(before);
    assertThat(fx.nodeInstall(NAME).getStatus().getBootRefusal()).isNull();
    assertThat(fx.eventReasons(NAME))
        .as("one Event per install per minute")
        .containsOnlyOnce("NotificationRefused");
    assertThat(fx.metrics.scrape())
        .contains(
            "pxe_notifications_total{kind=\"boot-refused\",outcome=\"not-from-machine\"} 2.0");
  }

  @Test
  void shouldRecordAMemoryRefusalFromTheSlotAddress() {
    HttpResponse<String> refused =
        fx.get(
            REFUSED + "?install=" + NAME + "&reason=memory&memsize=2048",
            "X-Pxe-Hook-Token",
            HOOK_TOKEN,
            "X-Real-IP",
            "10.11.0.2");

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(200);
    assertThat(fx.nodeInstall(NAME).getStatus().getBootRefusal()).contains("2048 MiB");
  }

  @Test
  void shouldRefuseARefusalWithAnUnknownReasonOrNoClientAddress() {
    String before = fx.state();

    assertReason(
        fx.get(
            REFUSED + "?install=" + NAME + "&reason=disk",
            "X-Pxe-Hook-Token",
            HOOK_TOKEN,
            "X-Real-IP",
            "10.11.0.2"),
        400,
        "reason must be memory or address");
    assertReason(
        fx.get(REFUSED + "?install=" + NAME + "&reason=memory", "X-Pxe-Hook-Token", HOOK_TOKEN),
        400,
        "X-Real-IP");
    assertThat(fx.state()).isEqualTo(before);
  }
}
