package lan.homelab.pxe.http;

import static lan.homelab.pxe.http.HttpFixture.HOOK_TOKEN;
import static lan.homelab.pxe.http.HttpFixture.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DhcpEventsTest {
  static final String PATH = "/v1/dhcp-events";
  static final String PXE_ADD =
      "{\"action\":\"add\",\"mac\":\"52:54:00:12:34:56\",\"ip\":\"10.11.3.200\","
          + "\"tags\":\"bios known\",\"vendorClass\":\"PXEClient:Arch:00000:UNDI:002001\","
          + "\"interface\":\"vmbr0\"}";

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

  HttpResponse<String> event(String json) {
    return fx.post(PATH, "application/json", json, "X-Pxe-Hook-Token", HOOK_TOKEN);
  }

  @Test
  void shouldRegisterAnUnknownPxeClientWith202() {
    double before =
        fx.metrics.registry().counter("pxe_dhcp_events", "outcome", "registered").count();

    HttpResponse<String> response = event(PXE_ADD);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(fx.metrics.registry().counter("pxe_dhcp_events", "outcome", "registered").count())
        .isEqualTo(before + 1);
    assertThat(response.body())
        .contains("\"outcome\":\"registered\"")
        .contains("\"nodeInstall\":\"52-54-00-12-34-56\"");
    NodeInstall ni = fx.nodeInstall("52-54-00-12-34-56");
    assertThat(ni.getSpec().getMac()).isEqualTo("52:54:00:12:34:56");
    assertThat(ni.getStatus().getDiscovery().getClientType()).isEqualTo("pxe");
    assertThat(ni.getStatus().getDiscovery().getArchitecture()).isEqualTo("bios");
    assertThat(ni.getStatus().getDiscovery().getPoolAddress()).isEqualTo("10.11.3.200");
    assertThat(ni.getStatus().getDiscovery().getNetworkInterface()).isEqualTo("vmbr0");
  }

  @Test
  void shouldAnswerReplayedOldEventsWith200AndChangeNothing() {
    event(PXE_ADD);
    String before = fx.state();

    HttpResponse<String> replay = event(PXE_ADD.replace("\"add\"", "\"old\""));
    HttpResponse<String> again = event(PXE_ADD);

    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(replay.body()).contains("\"outcome\":\"already-known\"");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldAcceptAndIgnoreDelEvents() {
    HttpResponse<String> response = event(PXE_ADD.replace("\"add\"", "\"del\""));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"outcome\":\"ignored\"");
    assertThat(fx.state()).isEmpty();
  }

  @Test
  void shouldNeverRegisterAClientThatIsNotPxe() {
    HttpResponse<String> response =
        event(PXE_ADD.replace("PXEClient:Arch:00000:UNDI:002001", "MSFT 5.0"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"outcome\":\"ignored\"").contains("not a PXE client");
    assertThat(fx.state()).isEmpty();
  }

  @Test
  void shouldTellIpxeByItsUserClassAndArchitectureByTags() {
    HttpResponse<String> response =
        event(
            "{\"action\":\"add\",\"mac\":\"52-54-00-AB-CD-EF\",\"ip\":\"10.11.3.201\","
                + "\"tags\":\"known efi64\",\"vendorClass\":\"PXEClient:Arch:00007:UNDI:003016\","
                + "\"userClass\":\"iPXE\"}");

    assertThat(response.statusCode()).isEqualTo(202);
    NodeInstall ni = fx.nodeInstall("52-54-00-ab-cd-ef");
    assertThat(ni.getStatus().getDiscovery().getClientType()).isEqualTo("ipxe");
    assertThat(ni.getStatus().getDiscovery().getArchitecture()).isEqualTo("x86-64-efi");
  }

  @Test
  void shouldIgnoreDenyListedMacs() {
    HttpResponse<String> response =
        event(PXE_ADD.replace("52:54:00:12:34:56", "bc:24:11:00:00:01"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("deny-list");
    assertThat(fx.state()).isEmpty();
  }

  static Stream<Arguments> malformedEvents() {
    return Stream.of(
        Arguments.of("not JSON", "add 52:54:00:12:34:56", "invalid JSON"),
        Arguments.of("empty body", "", "must be a JSON object"),
        Arguments.of("JSON array", "[]", "must be a JSON object"),
        Arguments.of("JSON string", "\"add\"", "must be a JSON object"),
        Arguments.of(
            "missing action", PXE_ADD.replace("\"action\":\"add\",", ""), "missing field action"),
        Arguments.of(
            "missing mac",
            PXE_ADD.replace("\"mac\":\"52:54:00:12:34:56\",", ""),
            "missing field mac"),
        Arguments.of(
            "missing ip", PXE_ADD.replace("\"ip\":\"10.11.3.200\",", ""), "missing field ip"),
        Arguments.of(
            "unknown action",
            PXE_ADD.replace("\"add\"", "\"tftp\""),
            "action must be add, old or del"),
        Arguments.of(
            "mac too short",
            PXE_ADD.replace("52:54:00:12:34:56", "52:54:00:12:34"),
            "mac is not a MAC"),
        Arguments.of(
            "mac too long",
            PXE_ADD.replace("52:54:00:12:34:56", "52:54:00:12:34:56:78"),
            "mac is not a MAC"),
        Arguments.of(
            "mac not hex",
            PXE_ADD.replace("52:54:00:12:34:56", "52:54:00:12:34:zz"),
            "mac is not a MAC"),
        Arguments.of(
            "mac mixed separators",
            PXE_ADD.replace("52:54:00:12:34:56", "52:54-00:12:34:56"),
            "mac is not a MAC"),
        Arguments.of(
            "mac with hardware type",
            PXE_ADD.replace("52:54:00:12:34:56", "1-52:54:00:12:34:56"),
            "mac is not a MAC"),
        Arguments.of(
            "mac as number",
            PXE_ADD.replace("\"52:54:00:12:34:56\"", "525400123456"),
            "mac must be a string"),
        Arguments.of(
            "ip octet 256", PXE_ADD.replace("10.11.3.200", "10.11.3.256"), "ip is not an IPv4"),
        Arguments.of("ip v6", PXE_ADD.replace("10.11.3.200", "fe80::1"), "ip is not an IPv4"),
        Arguments.of(
            "ip hostname", PXE_ADD.replace("10.11.3.200", "example.org"), "ip is not an IPv4"),
        Arguments.of(
            "unknown field", PXE_ADD.replace("{", "{\"admin\":\"yes\","), "unknown field 'admin'"),
        Arguments.of(
            "duplicate field",
            PXE_ADD.replace("{", "{\"mac\":\"52:54:00:00:00:01\","),
            "invalid JSON"),
        Arguments.of(
            "tags as array",
            PXE_ADD.replace("\"bios known\"", "[\"bios\"]"),
            "tags must be a string"),
        Arguments.of(
            "vendor class as object",
            PXE_ADD.replace("\"PXEClient:Arch:00000:UNDI:002001\"", "{}"),
            "vendorClass must be a string"),
        Arguments.of(
            "interface with slash",
            PXE_ADD.replace("vmbr0", "../etc"),
            "interface is not an interface"),
        Arguments.of(
            "interface too long",
            PXE_ADD.replace("vmbr0", "a-very-long-interface-name"),
            "interface is not an interface"),
        Arguments.of(
            "control characters",
            PXE_ADD.replace("bios known", "bios\\u0000known"),
            "control or non-ASCII"),
        Arguments.of(
            "overlong field", PXE_ADD.replace("bios known", "x".repeat(300)), "longer than 255"),
        Arguments.of("trailing garbage", PXE_ADD + "}", "invalid JSON"),
        Arguments.of("deep nesting", "[".repeat(100) + "]".repeat(100), "invalid JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedEvents")
  void shouldRefuseMalformedEventsWith400AndChangeNothing(String what, String body, String reason) {
    HttpResponse<String> response = event(body);

    assertReason(response, 400, reason);
    assertThat(fx.state()).isEmpty();
  }

  static Stream<Arguments> badCallers() {
    return Stream.of(
        Arguments.of("no token", null, "application/json", 401, "missing header X-Pxe-Hook-Token"),
        Arguments.of(
            "wrong token",
            "hook-0123456789abcdeX",
            "application/json",
            403,
            "wrong X-Pxe-Hook-Token"),
        Arguments.of(
            "token prefix", "hook-0123", "application/json", 403, "wrong X-Pxe-Hook-Token"),
        Arguments.of(
            "form content",
            HOOK_TOKEN,
            "application/x-www-form-urlencoded",
            415,
            "Content-Type must be application/json"),
        Arguments.of(
            "text content", HOOK_TOKEN, "text/plain", 415, "Content-Type must be application/json"),
        Arguments.of(
            "no content type", HOOK_TOKEN, null, 415, "Content-Type must be application/json"),
        Arguments.of(
            "json lookalike",
            HOOK_TOKEN,
            "application/jsonx",
            415,
            "Content-Type must be application/json"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCallers")
  void shouldRefuseCallersWithoutTheHookTokenOrJson(
      String what, String token, String contentType, int status, String reason) {
    HttpResponse<String> response =
        token == null
            ? fx.post(PATH, contentType, PXE_ADD)
            : fx.post(PATH, contentType, PXE_ADD, "X-Pxe-Hook-Token", token);

    assertReason(response, status, reason);
    assertThat(fx.state()).isEmpty();
  }

  @Test
  void shouldAcceptJsonWithACharset() {
    HttpResponse<String> response =
        fx.post(PATH, "Application/JSON; charset=utf-8", PXE_ADD, "X-Pxe-Hook-Token", HOOK_TOKEN);

    assertThat(response.statusCode()).isEqualTo(202);
  }

  @Test
  void shouldRefuseEveryoneWhileTheHookSecretIsMissing() throws Exception {
    try (HttpFixture noSecret = new HttpFixture(OperatorSettings.defaults(), Optional::empty)) {
      HttpResponse<String> response =
          noSecret.post(PATH, "application/json", PXE_ADD, "X-Pxe-Hook-Token", "");

      assertReason(response, 503, "hook token is not configured");
      assertThat(noSecret.state()).isEmpty();
    }
  }

  @Test
  void shouldRefuseOtherMethodsWith405() {
    HttpResponse<String> response = fx.get(PATH, "X-Pxe-Hook-Token", HOOK_TOKEN);

    assertReason(response, 405, "method not allowed");
    assertThat(response.headers().firstValue("Allow")).contains("POST");
  }

  @Test
  void shouldRefuseAHugeDeclaredBodyWith413BeforeReadingIt() throws Exception {
    String answer =
        fx.raw(
            ("POST "
                    + PATH
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Pxe-Hook-Token: "
                    + HOOK_TOKEN
                    + "\r\nContent-Length: 10485760\r\n\r\n{")
                .getBytes(StandardCharsets.US_ASCII));

    assertThat(answer).startsWith("HTTP/1.1 413").contains("body larger than 65536 bytes");
    assertThat(fx.state()).isEmpty();
  }

  @Test
  void shouldRefuseAHugeChunkedBodyWith413() throws Exception {
    String chunk = Integer.toHexString(70_000) + "\r\n" + " ".repeat(70_000) + "\r\n";
    String answer =
        fx.raw(
            ("POST "
                    + PATH
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Pxe-Hook-Token: "
                    + HOOK_TOKEN
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk
                    + "0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));

    assertThat(answer).startsWith("HTTP/1.1 413").contains("body larger than 65536 bytes");
    assertThat(fx.state()).isEmpty();
  }

  @Test
  void shouldNotCreateAnythingForAKnownMacInAnyPhase() {
    fx.install("52:54:00:12:34:56", NodeInstallPhase.Provisioned, "10.11.0.2", null);
    String before = fx.state();

    HttpResponse<String> response = event(PXE_ADD);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("already-known").contains("Provisioned");
    assertThat(fx.state()).isEqualTo(before);
  }
}
