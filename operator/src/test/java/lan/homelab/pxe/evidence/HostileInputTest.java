package lan.homelab.pxe.evidence;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.SlotAnswer;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.InvalidSettingsException;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken input against a running operator (mock API, HTTP on a free port): each case
 * gets its documented refusal (HTTP status and reason, or a slot/NodeInstall phase with its
 * condition and Event, or a start-up error naming the setting), changes no NodeInstall, slot or
 * ConfigMap, and leaves the operator serving. The queue is full (A and B hold the two valid slots,
 * C waits), so a bad slot that were handed out would show in C.
 *
 * <p>Decided here: a slot whose address lies in the discovery pool is Invalid (dnsmasq would lend
 * that address to any PXE client), never handed out; a discovery pool that contains the gateway or
 * the server refuses start-up naming {@code discoveryPool}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {
  private static final String HOOK = "hook-token-0123456789abcdef";
  private static final String MAC_A = "52:54:00:00:00:0a";
  private static final String MAC_B = "52:54:00:00:00:0b";
  private static final String MAC_C = "52:54:00:00:00:0c";
  private static final String A = Mac.parse(MAC_A).objectName();
  private static final String B = Mac.parse(MAC_B).objectName();

  private static MockApi api;
  private static KubernetesClient client;
  private static OperatorMain operator;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static String tokenA;
  private static String tokenB;

  /** What a case ended in: an HTTP status and body, a phase and its reasons, or an error. */
  record Outcome(String status, String text) {}

  interface Action {
    Outcome run() throws Exception;
  }

  @BeforeAll
  static void start() {
    api = new MockApi(NS);
    client = api.client();
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_DHCP_HOOK)
                .endMetadata()
                .addToData(Names.KEY_TOKEN, b64(HOOK))
                .build())
        .create();
    Fixtures.create(client, Fixtures.slot("peach-beach", "10.11.0.2", "peach-beach"));
    Fixtures.create(client, Fixtures.slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows"));
    operator =
        new OperatorMain(client, OperatorSettings.defaults(), Clock.systemUTC())
            .withHttpPort(0)
            .start();
    for (String mac : List.of(MAC_A, MAC_B, MAC_C)) {
      operator.reports().discovered(Fixtures.pxe(mac));
      await().until(() -> phase(mac) != null && phase(mac) != NodeInstallPhase.AwaitingApproval);
    }
    await()
        .until(
            () ->
                phase(MAC_A) == NodeInstallPhase.Installing
                    && phase(MAC_B) == NodeInstallPhase.Installing
                    && phase(MAC_C) == NodeInstallPhase.Waiting
                    && client.configMaps().inNamespace(NS).withName("pxe-node-" + A).get() != null
                    && client.configMaps().inNamespace(NS).withName("pxe-node-" + B).get() != null);
    tokenA = token(A);
    tokenB = token(B);
  }

  @AfterAll
  static void stop() {
    operator.close();
    api.close();
  }

  static Stream<Arguments> cases() {
    List<Arguments> rows = new ArrayList<>();
    String ok =
        "{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0d\",\"ip\":\"10.11.3.201\","
            + "\"vendorClass\":\"PXEClient:Arch:00000:UNDI:002001\"";
    // DHCP events from dnsmasq's lease hook
    row(
        rows,
        "dhcp: MAC with letters out of hex",
        dhcp("{\"action\":\"add\",\"mac\":\"52:54:00:zz:00:01\",\"ip\":\"10.11.3.201\"}"),
        "400",
        "mac is not a MAC address");
    row(
        rows,
        "dhcp: MAC of five octets",
        dhcp("{\"action\":\"add\",\"mac\":\"52:54:00:00:01\",\"ip\":\"10.11.3.201\"}"),
        "400",
        "mac is not a MAC address");
    row(
        rows,
        "dhcp: MAC of seven octets",
        dhcp("{\"action\":\"add\",\"mac\":\"52:54:00:00:00:01:02\",\"ip\":\"10.11.3.201\"}"),
        "400",
        "mac is not a MAC address");
    row(
        rows,
        "dhcp: empty MAC",
        dhcp("{\"action\":\"add\",\"mac\":\"\",\"ip\":\"10.11.3.201\"}"),
        "400",
        "mac");
    row(
        rows,
        "dhcp: MAC as a number",
        dhcp("{\"action\":\"add\",\"mac\":525400,\"ip\":\"10.11.3.201\"}"),
        "400",
        "mac must be a string");
    row(
        rows,
        "dhcp: MAC as JSON null",
        dhcp("{\"action\":\"add\",\"mac\":null,\"ip\":\"10.11.3.201\"}"),
        "400",
        "mac");
    row(
        rows,
        "dhcp: missing mac",
        dhcp("{\"action\":\"add\",\"ip\":\"10.11.3.201\"}"),
        "400",
        "missing field mac");
    row(
        rows,
        "dhcp: missing ip",
        dhcp("{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0d\"}"),
        "400",
        "missing field ip");
    row(
        rows,
        "dhcp: missing action",
        dhcp("{\"mac\":\"52:54:00:00:00:0d\",\"ip\":\"10.11.3.201\"}"),
        "400",
        "missing field action");
    row(
        rows,
        "dhcp: unknown field",
        dhcp(ok + ",\"slot\":\"peach-beach\"}"),
        "400",
        "unknown field");
    row(
        rows,
        "dhcp: unknown action",
        dhcp("{\"action\":\"claim\",\"mac\":\"52:54:00:00:00:0d\",\"ip\":\"10.11.3.201\"}"),
        "400",
        "action must be add, old or del");
    row(
        rows,
        "dhcp: ip not IPv4",
        dhcp("{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0d\",\"ip\":\"10.11.3\"}"),
        "400",
        "ip is not an IPv4 address");
    row(
        rows,
        "dhcp: ip is IPv6",
        dhcp("{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0d\",\"ip\":\"fe80::1\"}"),
        "400",
        "ip is not an IPv4 address");
    row(
        rows,
        "dhcp: shell in interface",
        dhcp(ok + ",\"interface\":\"eth0;reboot\"}"),
        "400",
        "interface is not an interface name");
    row(
        rows,
        "dhcp: control characters in hostname",
        dhcp(ok + ",\"hostname\":\"a\\u0007b\"}"),
        "400",
        "control or non-ASCII");
    row(
        rows,
        "dhcp: non-ASCII hostname",
        dhcp(ok + ",\"hostname\":\"h\u00e9\"}"),
        "400",
        "control or non-ASCII");
    row(
        rows,
        "dhcp: field longer than 255",
        dhcp(ok + ",\"hostname\":\"" + "h".repeat(300) + "\"}"),
        "400",
        "longer than");
    row(
        rows,
        "dhcp: duplicate field",
        dhcp(
            "{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0d\",\"mac\":\"52:54:00:00:00:0e\",\"ip\":\"10.11.3.201\"}"),
        "400",
        "mac");
    row(rows, "dhcp: JSON array", dhcp("[]"), "400", "the body must be a JSON object");
    row(rows, "dhcp: JSON string", dhcp("\"add\""), "400", "the body must be a JSON object");
    row(rows, "dhcp: truncated JSON", dhcp(ok), "400", "invalid JSON");
    row(rows, "dhcp: empty body", dhcp(""), "400", "JSON");
    row(
        rows,
        "dhcp: 100 KiB body",
        streamed("/v1/dhcp-events", HOOK, 100_000),
        "413",
        "body larger than");
    row(
        rows,
        "dhcp: 10 MB body",
        streamed("/v1/dhcp-events", HOOK, 10_000_000),
        "413",
        "body larger than");
    row(
        rows,
        "dhcp: text/plain",
        post("/v1/dhcp-events", "text/plain", ok + "}", HOOK),
        "415",
        "Content-Type must be application/json");
    row(
        rows,
        "dhcp: form encoded",
        post("/v1/dhcp-events", "application/x-www-form-urlencoded", "mac=52:54:00:00:00:0d", HOOK),
        "415",
        "Content-Type");
    row(
        rows,
        "dhcp: no content type",
        post("/v1/dhcp-events", null, ok + "}", HOOK),
        "415",
        "Content-Type");
    row(
        rows,
        "dhcp: forged, no hook token",
        post("/v1/dhcp-events", "application/json", ok + "}", null),
        "401",
        "missing header X-Pxe-Hook-Token");
    row(
        rows,
        "dhcp: forged, wrong hook token",
        post("/v1/dhcp-events", "application/json", ok + "}", "guess"),
        "403",
        "wrong X-Pxe-Hook-Token");
    row(
        rows,
        "dhcp: forged, a node's webhook token as hook token",
        () -> post("/v1/dhcp-events", "application/json", ok + "}", tokenA).run(),
        "403",
        "wrong X-Pxe-Hook-Token");
    row(rows, "dhcp: GET", get("/v1/dhcp-events", HOOK), "405", "");
    row(
        rows,
        "dhcp: bad Content-Length",
        raw(
            "POST /v1/dhcp-events HTTP/1.1\r\nHost: x\r\nX-Pxe-Hook-Token: "
                + HOOK
                + "\r\nContent-Type: application/json\r\nContent-Length: 12abc\r\n\r\n{}"),
        "400",
        "");
    row(
        rows,
        "dhcp: plain DHCP client",
        dhcp("{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0d\",\"ip\":\"10.11.3.201\"}"),
        "200",
        "not a PXE client");
    row(
        rows,
        "dhcp: Proxmox virtual NIC",
        dhcp(
            "{\"action\":\"add\",\"mac\":\"bc:24:11:00:00:01\",\"ip\":\"10.11.3.201\",\"vendorClass\":\"PXEClient:Arch:00000:UNDI:002001\"}"),
        "200",
        "deny-list");
    row(
        rows,
        "dhcp: del event",
        dhcp("{\"action\":\"del\",\"mac\":\"52:54:00:00:00:0d\",\"ip\":\"10.11.3.201\"}"),
        "200",
        "del events change nothing");
    row(
        rows,
        "dhcp: installing MAC asks again",
        dhcp(
            "{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0a\",\"ip\":\"10.11.3.200\",\"vendorClass\":\"PXEClient:Arch:00000:UNDI:002001\"}"),
        "200",
        "already-known");
    row(
        rows,
        "dhcp: waiting MAC asks again in upper case",
        dhcp(
            "{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0C\",\"ip\":\"10.11.3.200\",\"vendorClass\":\"PXEClient:Arch:00000:UNDI:002001\"}"),
        "200",
        "already-known");
    // webhooks from the installer
    row(
        rows,
        "webhook: wrong token",
        () -> webhook(A, "not-the-token", MAC_A, "application/json").run(),
        "403",
        "token does not match");
    row(
        rows,
        "webhook: another node's token",
        () -> webhook(A, tokenB, MAC_A, "application/json").run(),
        "403",
        "token does not match");
    row(
        rows,
        "webhook: own token on another node's URL",
        () -> webhook(B, tokenA, MAC_B, "application/json").run(),
        "403",
        "token does not match");
    row(
        rows,
        "webhook: right token, another machine's MAC",
        () -> webhook(A, tokenA, MAC_B, "application/json").run(),
        "403",
        "does not have this install's MAC");
    row(
        rows,
        "webhook: body token differs from URL token",
        () ->
            post(
                    "/v1/webhook/" + A + "/" + tokenA,
                    "application/json",
                    webhookBody(MAC_A, tokenB),
                    null)
                .run(),
        "403",
        "token does not match");
    row(
        rows,
        "webhook: no token in the URL",
        post("/v1/webhook/" + A, "application/json", "{}", null),
        "404",
        "no such webhook");
    row(
        rows,
        "webhook: token with path characters",
        post("/v1/webhook/" + A + "/..%2F..", "application/json", "{}", null),
        "404",
        "no such webhook");
    row(
        rows,
        "webhook: name that is no MAC",
        post("/v1/webhook/peach-beach/abc", "application/json", "{}", null),
        "404",
        "no such webhook");
    row(
        rows,
        "webhook: unknown install",
        () -> webhook("52-54-00-00-00-99", tokenA, "52:54:00:00:00:99", "application/json").run(),
        "404",
        "no such install");
    row(
        rows,
        "webhook: waiting install",
        () -> webhook(Mac.parse(MAC_C).objectName(), tokenA, MAC_C, "application/json").run(),
        "403",
        "token does not match");
    row(
        rows,
        "webhook: invalid JSON",
        () -> post("/v1/webhook/" + A + "/" + tokenA, "application/json", "{\"fqdn\":", null).run(),
        "400",
        "invalid JSON");
    row(
        rows,
        "webhook: missing network-interfaces",
        () ->
            post("/v1/webhook/" + A + "/" + tokenA, "application/json", "{\"fqdn\":\"x\"}", null)
                .run(),
        "400",
        "missing field network-interfaces");
    row(
        rows,
        "webhook: unsupported schema",
        () ->
            post(
                    "/v1/webhook/" + A + "/" + tokenA,
                    "application/json",
                    "{\"$schema\":{\"version\":\"99.0\"},\"network-interfaces\":[]}",
                    null)
                .run(),
        "400",
        "unsupported webhook schema version");
    row(
        rows,
        "webhook: 10 MB body",
        () -> streamed("/v1/webhook/" + A + "/" + tokenA, null, 10_000_000).run(),
        "413",
        "body larger than");
    row(
        rows,
        "webhook: text/plain",
        () -> webhook(A, tokenA, MAC_A, "text/plain").run(),
        "415",
        "Content-Type");
    row(rows, "webhook: GET", () -> get("/v1/webhook/" + A + "/" + tokenA, null).run(), "405", "");
    row(rows, "webhook: slow client cut off", () -> slowWebhook(A, tokenA), "closed", "");
    // answer-served notifications from nginx
    row(
        rows,
        "answer: address holding no install",
        answer("10.11.0.4", HOOK),
        "404",
        "no install is Installing at 10.11.0.4");
    row(
        rows,
        "answer: waiting machine's pool address",
        answer("10.11.3.200", HOOK),
        "404",
        "no install is Installing");
    row(
        rows,
        "answer: address outside the network",
        answer("192.0.2.7", HOOK),
        "404",
        "no install is Installing");
    row(
        rows,
        "answer: no X-Real-IP",
        post("/v1/notify/answer-served", "application/json", "{\"network_interfaces\":[]}", HOOK),
        "400",
        "X-Real-IP must be an IPv4 address");
    row(
        rows,
        "answer: X-Real-IP not an address",
        answer("peach-beach", HOOK),
        "400",
        "X-Real-IP must be an IPv4 address");
    row(rows, "answer: no hook token", answer("10.11.0.2", null), "401", "missing header");
    row(
        rows,
        "answer: wrong hook token",
        answer("10.11.0.2", "guess"),
        "403",
        "wrong X-Pxe-Hook-Token");
    row(
        rows,
        "answer: invalid JSON",
        post("/v1/notify/answer-served", "application/json", "{", HOOK, "X-Real-IP", "10.11.0.2"),
        "400",
        "invalid JSON");
    row(
        rows,
        "answer: missing network_interfaces",
        post("/v1/notify/answer-served", "application/json", "{}", HOOK, "X-Real-IP", "10.11.0.2"),
        "400",
        "missing field network_interfaces");
    row(
        rows,
        "answer: text/plain",
        post("/v1/notify/answer-served", "text/plain", "{}", HOOK, "X-Real-IP", "10.11.0.2"),
        "415",
        "Content-Type");
    // boot-script notifications from nginx
    row(
        rows,
        "boot script: unknown install",
        getFrom("/v1/notify/boot-script-served?install=52-54-00-00-00-99", HOOK, "10.11.0.2"),
        "404",
        "no such install");
    row(
        rows,
        "boot script: no client address",
        get("/v1/notify/boot-script-served?install=" + A, HOOK),
        "400",
        "X-Real-IP");
    row(
        rows,
        "boot refused: unknown reason",
        getFrom("/v1/notify/boot-refused?install=" + A + "&reason=disk", HOOK, "10.11.0.2"),
        "400",
        "reason must be memory or address");
    row(
        rows,
        "boot script: malformed install",
        get("/v1/notify/boot-script-served?install=../etc", HOOK),
        "400",
        "query parameter install");
    row(
        rows,
        "boot script: no install",
        get("/v1/notify/boot-script-served", HOOK),
        "400",
        "query parameter install");
    row(
        rows,
        "boot script: install given twice",
        get("/v1/notify/boot-script-served?install=" + A + "&install=" + B, HOOK),
        "400",
        "given twice");
    row(
        rows,
        "boot script: no hook token",
        get("/v1/notify/boot-script-served?install=" + A, null),
        "401",
        "missing header");
    row(rows, "path: unknown", get("/v1/claim", HOOK), "404", "no such path");
    // custom resources written by people
    row(
        rows,
        "slot: duplicate address",
        badSlot("10.11.0.2", "dup-address", null),
        "Invalid",
        "address 10.11.0.2 is also slot peach-beach's");
    row(
        rows,
        "slot: duplicate hostname",
        badSlot("10.11.0.9", "peach-beach", null),
        "Invalid",
        "hostname peach-beach is also slot peach-beach's");
    row(
        rows,
        "slot: address outside the network",
        badSlot("192.168.1.5", "outside", null),
        "Invalid",
        "is not a host address of 10.11.0.0/22");
    row(
        rows,
        "slot: network address",
        badSlot("10.11.0.0", "netaddr", null),
        "Invalid",
        "is not a host address");
    row(
        rows,
        "slot: broadcast address",
        badSlot("10.11.3.255", "bcast", null),
        "Invalid",
        "is not a host address");
    row(
        rows,
        "slot: the gateway's address",
        badSlot("10.11.0.1", "gw", null),
        "Invalid",
        "is the gateway's");
    row(
        rows,
        "slot: the server's address",
        badSlot("10.11.0.1", "srv", null),
        "Invalid",
        "is the provisioning server's");
    row(
        rows,
        "slot: address in the discovery pool",
        badSlot("10.11.3.210", "in-pool", null),
        "Invalid",
        "lies in the discovery pool");
    row(
        rows,
        "slot: address not IPv4",
        badSlot("ten.eleven.0.9", "text", null),
        "Invalid",
        "is not an IPv4 address");
    row(
        rows,
        "slot: hostname with underscore",
        badSlot("10.11.0.9", "bad_name", null),
        "Invalid",
        "is not an RFC 1123 label");
    row(
        rows,
        "slot: hostname all digits",
        badSlot("10.11.0.9", "12345", null),
        "Invalid",
        "all digits");
    row(
        rows,
        "slot: hostname too long",
        badSlot("10.11.0.9", "h".repeat(64), null),
        "Invalid",
        "is not an RFC 1123 label");
    row(
        rows,
        "slot: bad TOML in overrides",
        badSlot("10.11.0.9", "bad-toml", "[global\nkeyboard = "),
        "Invalid",
        "answer:");
    row(
        rows,
        "slot: unknown answer key",
        badSlot("10.11.0.9", "unknown-key", "[global]\nfavourite-colour = \"blue\"\n"),
        "Invalid",
        "unknown field");
    row(
        rows,
        "slot: overrides network.cidr",
        badSlot("10.11.0.9", "cidr", "[network]\ncidr = \"10.11.0.9/24\"\n"),
        "Invalid",
        "network.cidr");
    row(
        rows,
        "slot: overrides the root password",
        badSlot("10.11.0.9", "rootpw", "[global]\nroot-password = \"hunter22hunter22\"\n"),
        "Invalid",
        "root-password");
    row(
        rows,
        "nodeinstall: name is not its MAC",
        badInstall("peach-beach-node", MAC_C.replace("0c", "0e")),
        "Rejected",
        "the name must be the MAC with dashes");
    row(
        rows,
        "nodeinstall: spec.mac is no MAC",
        badInstall("52-54-00-00-00-0f", "not-a-mac"),
        "Rejected",
        "spec.mac is not a MAC address");
    // operator settings
    row(
        rows,
        "settings: pool contains the gateway",
        settings(Map.of("discoveryPool.start", "10.11.0.1", "discoveryPool.end", "10.11.0.20")),
        "refused",
        "discoveryPool");
    row(
        rows,
        "settings: pool ends before it starts",
        settings(Map.of("discoveryPool.start", "10.11.3.250", "discoveryPool.end", "10.11.3.200")),
        "refused",
        "discoveryPool.end");
    row(
        rows,
        "settings: pool outside the network",
        settings(Map.of("discoveryPool.start", "10.12.0.10")),
        "refused",
        "discoveryPool.start");
    row(
        rows,
        "settings: gateway outside the network",
        settings(Map.of("gateway", "192.168.0.1")),
        "refused",
        "gateway");
    row(rows, "settings: bad domain", settings(Map.of("domain", "home lab")), "refused", "domain");
    row(
        rows,
        "settings: unknown installer version",
        settings(Map.of("installerVersion", "7.4")),
        "refused",
        "installerVersion");
    return rows.stream();
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldRefuseWithTheDocumentedErrorChangeNothingAndKeepServing(
      String name, Action action, String status, String reason) throws Exception {
    String before = state();

    Outcome outcome = action.run();

    assertThat(outcome.status()).as(outcome.text()).isEqualTo(status);
    assertThat(outcome.text()).contains(reason);
    assertThat(state()).isEqualTo(before);
    assertThat(send(HttpRequest.newBuilder(uri("/healthz")).GET()).statusCode()).isEqualTo(200);
  }

  @Order(2)
  @Test
  void shouldStillRegisterAndClaimForAValidDiscoveryAfterAllOfIt() throws Exception {
    Outcome outcome =
        dhcp("{\"action\":\"add\",\"mac\":\"52:54:00:00:00:1d\",\"ip\":\"10.11.3.220\","
                + "\"vendorClass\":\"PXEClient:Arch:00007:UNDI:003016\"}")
            .run();
    assertThat(outcome.status()).isEqualTo("202");
    Fixtures.create(client, Fixtures.slot("slot-9", "10.11.0.9", null));
    await().until(() -> phase(MAC_C) == NodeInstallPhase.Installing);
    await().until(() -> phase("52:54:00:00:00:1d") == NodeInstallPhase.Waiting);
  }

  // --- actions

  private static void row(List<Arguments> rows, String name, Action a, String status, String why) {
    rows.add(Arguments.of(name, a, status, why));
  }

  private static Action dhcp(String body) {
    return post("/v1/dhcp-events", "application/json", body, HOOK);
  }

  private static Action answer(String realIp, String hook) {
    return post(
        "/v1/notify/answer-served",
        "application/json",
        "{\"network_interfaces\":[{\"link\":\"eno1\",\"mac\":\"52:54:00:00:00:0d\"}]}",
        hook,
        "X-Real-IP",
        realIp);
  }

  private static Action post(
      String path, String type, String body, String hook, String... headers) {
    return () -> {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri(path))
              .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      if (type != null) {
        b.header("Content-Type", type);
      }
      if (hook != null) {
        b.header(Names.HEADER_HOOK_TOKEN, hook);
      }
      if (headers.length > 0) {
        b.headers(headers);
      }
      return response(b);
    };
  }

  private static Action getFrom(String path, String hook, String realIp) {
    return () ->
        response(
            HttpRequest.newBuilder(uri(path))
                .GET()
                .header(Names.HEADER_HOOK_TOKEN, hook)
                .header("X-Real-IP", realIp));
  }

  private static Action get(String path, String hook) {
    return () -> {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
      if (hook != null) {
        b.header(Names.HEADER_HOOK_TOKEN, hook);
      }
      return response(b);
    };
  }

  private static Action webhook(String name, String token, String mac, String type) {
    return post("/v1/webhook/" + name + "/" + token, type, webhookBody(mac, token), null);
  }

  private static String webhookBody(String mac, String token) {
    try (InputStream in =
        HostileInputTest.class.getResourceAsStream(
            "/lan/homelab/pxe/http/post-hook-body.v1.2.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("b4:2e:99:ac:ad:b4", mac)
          .replace("only-present-on-9.2+-when-auth-token-is-set", token);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Action raw(String request) {
    return () -> {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), operator.httpPort())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Outcome(answer.length() > 12 ? answer.substring(9, 12) : "closed", answer);
      }
    };
  }

  /**
   * A large JSON body sent from another thread while the answer is read, as a streaming client
   * would; the server may answer before the body is through and cut the rest.
   */
  private static Action streamed(String path, String hook, int size) {
    return () -> {
      byte[] body = new byte[size];
      java.util.Arrays.fill(body, (byte) ' ');
      body[0] = '{';
      body[body.length - 1] = '}';
      byte[] head =
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + (hook == null ? "" : Names.HEADER_HOOK_TOKEN + ": " + hook + "\r\n")
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), operator.httpPort())) {
        s.setSoTimeout(20_000);
        Thread writer =
            new Thread(
                () -> {
                  try {
                    s.getOutputStream().write(head);
                    s.getOutputStream().write(body);
                  } catch (IOException cutShort) {
                    // the server answered and closed: expected
                  }
                });
        writer.setDaemon(true);
        writer.start();
        String text = readResponse(s.getInputStream());
        return new Outcome(text.length() > 12 ? text.substring(9, 12) : "closed", text);
      }
    };
  }

  /** One response read as far as its Content-Length says (a reset after it loses nothing). */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    try {
      int c;
      while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) != -1) {
        head.append((char) c);
      }
      var length = java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)").matcher(head);
      if (length.find()) {
        head.append(
            new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8));
      }
    } catch (java.net.SocketException reset) {
      // what was read so far is the answer
    }
    return head.toString();
  }

  /** Headers and half the body, then silence: the server must hang up by itself. */
  private static Outcome slowWebhook(String name, String token) throws IOException {
    String body = webhookBody(MAC_A, token);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), operator.httpPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v1/webhook/"
                  + name
                  + "/"
                  + token
                  + " HTTP/1.1\r\nHost: x\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body.substring(0, body.length() / 2))
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      try {
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Outcome(answer.isEmpty() ? "closed" : answer.substring(9, 12), answer);
      } catch (java.net.SocketException reset) {
        return new Outcome("closed", "");
      }
    }
  }

  /** Creates a slot, waits for its verdict, deletes it; returns its phase and reasons. */
  private static Action badSlot(String address, String hostname, String overrides) {
    return () -> {
      String name = "bad-" + Integer.toHexString((address + hostname + overrides).hashCode());
      ProvisioningSlot slot = Fixtures.slot(name, address, hostname);
      if (overrides != null) {
        SlotAnswer answer = new SlotAnswer();
        answer.setOverrides(overrides);
        slot.getSpec().setAnswer(answer);
      }
      Fixtures.create(client, slot);
      await()
          .until(
              () -> {
                ProvisioningSlot s = Fixtures.slot(client, name);
                return s.getStatus() != null && s.getStatus().getPhase() != null;
              });
      await().until(() -> !events(name, "InvalidSpec").isEmpty());
      ProvisioningSlot judged = Fixtures.slot(client, name);
      String text =
          judged.getStatus().getConditions().stream()
                  .map(c -> c.getType() + "=" + c.getStatus() + " " + c.getMessage())
                  .collect(Collectors.joining("; "))
              + " | events: "
              + String.join("; ", events(name, "InvalidSpec"));
      client.resource(judged).delete();
      await().until(() -> Fixtures.slot(client, name) == null);
      return new Outcome(String.valueOf(judged.getStatus().getPhase()), text);
    };
  }

  /** Creates a NodeInstall by hand, waits for its verdict, deletes it. */
  private static Action badInstall(String name, String mac) {
    return () -> {
      NodeInstall ni = new NodeInstall();
      ni.getMetadata().setName(name);
      ni.getMetadata().setNamespace(NS);
      ni.setSpec(new NodeInstallSpec());
      ni.getSpec().setMac(mac);
      client.resource(ni).create();
      await()
          .until(
              () -> {
                NodeInstall now = install(name);
                return now.getStatus() != null && now.getStatus().getPhase() != null;
              });
      NodeInstall judged = install(name);
      await().until(() -> !events(name, "Rejected").isEmpty());
      String text = judged.getStatus().getReason() + " | events: " + events(name, "Rejected");
      client.resource(judged).delete();
      await().until(() -> install(name) == null);
      return new Outcome(String.valueOf(judged.getStatus().getPhase()), text);
    };
  }

  private static Action settings(Map<String, String> bad) {
    return () -> {
      try {
        OperatorSettings.defaults().with(bad);
        return new Outcome("accepted", "");
      } catch (InvalidSettingsException e) {
        return new Outcome("refused", e.getMessage());
      }
    };
  }

  // --- helpers

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + operator.httpPort() + path);
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(
        b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Outcome response(HttpRequest.Builder b) throws Exception {
    try {
      HttpResponse<String> r = send(b);
      return new Outcome(String.valueOf(r.statusCode()), r.body());
    } catch (IOException cut) {
      // the server answered early and hung up while a large body was still being sent
      return new Outcome("closed", String.valueOf(cut.getMessage()));
    }
  }

  private static List<String> events(String object, String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> object.equals(e.getInvolvedObject().getName()))
        .filter(e -> reason.equals(e.getReason()))
        .map(e -> e.getMessage())
        .toList();
  }

  private static NodeInstall install(String name) {
    return client.resources(NodeInstall.class).inNamespace(NS).withName(name).get();
  }

  private static NodeInstallPhase phase(String mac) {
    NodeInstall ni = Fixtures.install(client, mac);
    return ni == null || ni.getStatus() == null ? null : ni.getStatus().getPhase();
  }

  private static String token(String name) {
    var secret = client.secrets().inNamespace(NS).withName(Names.tokenSecret(name)).get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(Names.KEY_TOKEN)), StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** NodeInstalls, slots and ConfigMaps by content (resourceVersions left out). */
  private static String state() {
    return Stream.of(
            client.resources(NodeInstall.class).inNamespace(NS).list().getItems().stream(),
            client.resources(ProvisioningSlot.class).inNamespace(NS).list().getItems().stream(),
            client.configMaps().inNamespace(NS).list().getItems().stream())
        .flatMap(s -> s)
        .map(HostileInputTest::describe)
        .sorted()
        .collect(Collectors.joining("\n"));
  }

  private static String describe(HasMetadata o) {
    HasMetadata copy = client.getKubernetesSerialization().clone(o);
    copy.getMetadata().setResourceVersion(null);
    copy.getMetadata().setManagedFields(null);
    copy.getMetadata().setGeneration(null);
    return o.getKind()
        + "/"
        + o.getMetadata().getName()
        + " "
        + client.getKubernetesSerialization().asJson(copy);
  }

  static {
    // SlotPhase is referenced for readers: a bad slot ends Invalid.
    assert SlotPhase.Invalid != null;
  }
}
