package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.lab.net.Client.HttpReply;
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
 * What a stranger on the cluster LAN can do to another machine's install, tried from network
 * namespaces on the lab bridge against real dnsmasq and nginx and the operator in-process: the
 * victim is Installing on slot peach-beach (10.11.0.2), discovered on a pool address, and has not
 * fetched its boot script yet; a second machine is Installing on moo-moo-meadows (10.11.0.3).
 * Attackers: a guest VM at 10.11.0.64, a host that took a pool address dnsmasq never leased to the
 * victim, the second machine on its own slot address, and a process on the boot node itself (the
 * only place the operator's port is reachable from, as in the cluster). Each case asserts the
 * answer and that the victim's NodeInstall (phase, slot, refusal, boot-script and answer records)
 * and both slots are unchanged. Last, the victim's own refusal from its leased address still
 * counts: the gates stop strangers, not the machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LanHostileTest {
  static final String BOOT = "http://10.11.0.1:8080";
  static final Mac VICTIM = Mac.parse("52:54:00:e5:00:01");
  static final Mac OTHER = Mac.parse("52:54:00:e5:00:02");
  static final String V = VICTIM.objectName();
  static final String GUEST_ADDRESS = "10.11.0.64";

  /** Prefix of a path sent to the operator's own port rather than to nginx. */
  static final String OPERATOR = "operator:";

  static NetworkedOperator net;
  static Path work;
  static Path webhookBody;
  static Map<String, Client> attackers;
  static String victimPoolAddress;

  @BeforeAll
  static void start() throws Exception {
    NetPrerequisites.require("dnsmasq", "nginx", "curl", "busybox", "cpio");
    NetPrerequisites.requireBootFiles();
    work = Path.of("target", "netlab", "hostile-" + ProcessHandle.current().pid()).toAbsolutePath();
    net = new NetworkedOperator(work, Map.of("denyList", "bc:24:11"));
    net.createSlot("peach-beach", "10.11.0.2", "peach-beach", 1);
    net.createSlot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows", 2);

    ScriptedMachine victim = new ScriptedMachine(net.lab().addClient(VICTIM), BOOT);
    assertThat(victim.pxeDhcp()).isPresent();
    victimPoolAddress = victim.address();
    await().atMost(Duration.ofSeconds(15)).until(() -> installing(VICTIM, "10.11.0.2"));
    await().atMost(Duration.ofSeconds(15)).until(() -> leased(VICTIM).contains(victimPoolAddress));

    ScriptedMachine other = new ScriptedMachine(net.lab().addClient(OTHER), BOOT);
    assertThat(other.pxeDhcp()).isPresent();
    await().atMost(Duration.ofSeconds(15)).until(() -> installing(OTHER, "10.11.0.3"));
    Cmd.check("ip", "-n", other.client().namespace(), "addr", "flush", "dev", "eth0");
    other.client().configureAddress("10.11.0.3/22");

    Client guest = net.lab().addClient(Mac.parse("bc:24:11:e5:00:64"));
    guest.configureAddress(GUEST_ADDRESS + "/22");
    Client poolStranger = net.lab().addClient(Mac.parse("02:00:00:e5:00:99"));
    String strangerPool = victimPoolAddress.equals("10.11.3.251") ? "10.11.3.252" : "10.11.3.251";
    poolStranger.configureAddress(strangerPool + "/22");
    lan.homelab.pxe.sync.AtomicFiles.write(
        net.stack().dir().assetsDir().resolve("vmlinuz"), "kernel bytes\n");
    attackers =
        Map.of(
            "victim",
            victim.client(),
            "guest",
            guest,
            "pool",
            poolStranger,
            "other-slot",
            other.client(),
            "boot-node",
            new Client(net.lab(), net.lab().serverNamespace(), null));
    webhookBody = work.resolve("post-hook-body.v1.2.json");
    try (InputStream in = LanHostileTest.class.getResourceAsStream("post-hook-body.v1.2.json")) {
      Files.write(webhookBody, in.readAllBytes());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> guest.http("GET", BOOT + "/boot.ipxe", List.of(), null).status() == 200);
  }

  @AfterAll
  static void stop() {
    if (net != null) {
      net.close();
    }
  }

  static boolean installing(Mac mac, String address) {
    return net.install(mac)
        .map(NodeInstall::getStatus)
        .filter(s -> s.getPhase() == NodeInstallPhase.Installing)
        .filter(s -> address.equals(s.getAddress()))
        .isPresent();
  }

  static List<String> leased(Mac mac) {
    return net.install(mac)
        .map(NodeInstall::getStatus)
        .map(s -> s.getLeasedAddresses() == null ? List.<String>of() : s.getLeasedAddresses())
        .orElse(List.of());
  }

  /** A request one attacker sends and the answer it must get. */
  record Attack(String from, String method, String path, List<String> headers, boolean body) {
    HttpReply send() {
      String url =
          path.startsWith(OPERATOR)
              ? net.operatorUrl() + path.substring(OPERATOR.length())
              : BOOT + path;
      return attackers.get(from).http(method, url, headers, body ? webhookBody : null);
    }
  }

  static Arguments row(String name, Attack attack, int status, String reason) {
    return Arguments.of(name, attack, status, reason);
  }

  static Attack get(String from, String path) {
    return new Attack(from, "GET", path, List.of(), false);
  }

  static Attack post(String from, String path, String... headers) {
    return new Attack(from, "POST", path, List.of(headers), true);
  }

  static Stream<Arguments> attacks() {
    String notOurs = "does not come from an address of this machine";
    String json = "Content-Type: application/json";
    String guessed = "A".repeat(43);
    List<Arguments> rows = new ArrayList<>();
    // 1: forged refusals that would fail the victim's install
    rows.add(
        row(
            "refusal for memory from a guest VM",
            get("guest", "/ipxe/refused/" + V + "/memory/1024"),
            403,
            notOurs));
    rows.add(
        row(
            "refusal for the address from a guest VM",
            get("guest", "/ipxe/refused/" + V + "/address/"),
            403,
            notOurs));
    rows.add(
        row(
            "refusal for memory from a pool address not leased to the victim",
            get("pool", "/ipxe/refused/" + V + "/memory/512"),
            403,
            notOurs));
    rows.add(
        row(
            "refusal for the address from a pool address not leased to the victim",
            get("pool", "/ipxe/refused/" + V + "/address/"),
            403,
            notOurs));
    rows.add(
        row(
            "refusal for memory from another slot's address",
            get("other-slot", "/ipxe/refused/" + V + "/memory/2048"),
            403,
            notOurs));
    rows.add(
        row(
            "refusal for the address from another slot's address",
            get("other-slot", "/ipxe/refused/" + V + "/address/"),
            403,
            notOurs));
    rows.add(
        row(
            "refusal with a reason the scripts never send",
            get("guest", "/ipxe/refused/" + V + "/disk/1"),
            400,
            "reason must be memory or address"));
    rows.add(
        row(
            "refusal naming the victim in upper case",
            get("guest", "/ipxe/refused/" + V.toUpperCase() + "/memory/1"),
            404,
            "not found"));
    // 2: forged boot-script fetches: nginx serves the script, the operator records nothing
    rows.add(row("boot script fetched by a guest VM", get("guest", "/ipxe/" + V), 200, "#!ipxe"));
    rows.add(
        row(
            "boot script fetched from a pool address not leased to the victim",
            get("pool", "/ipxe/" + V),
            200,
            "#!ipxe"));
    rows.add(
        row(
            "boot script fetched from another slot's address",
            get("other-slot", "/ipxe/" + V),
            200,
            "#!ipxe"));
    // 7: the boot assets
    rows.add(row("assets from a guest VM", get("guest", "/assets/vmlinuz"), 403, "403"));
    rows.add(
        row(
            "assets from a pool address no installing machine holds",
            get("pool", "/assets/initrd.img"),
            403,
            "403"));
    rows.add(
        row(
            "assets for the victim itself, on its leased pool address (control)",
            get("victim", "/assets/vmlinuz"),
            200,
            "kernel bytes"));
    rows.add(
        row(
            "assets path escaping into the secrets",
            get("guest", "/assets/../secrets/hook-token"),
            404,
            "not found"));
    // answers and the webhook
    rows.add(
        row(
            "the victim's answer asked for by a guest VM",
            post("guest", "/answer", json),
            404,
            "no answer for this address"));
    rows.add(row("an answer fetched with GET", get("guest", "/answer"), 403, "403"));
    rows.add(
        row(
            "webhook with a guessed token",
            post("guest", "/v1/webhook/" + V + "/" + guessed, json),
            403,
            "token"));
    // 8: the DHCP hook's endpoint
    rows.add(
        row(
            "lease event sent through nginx",
            post("guest", "/v1/dhcp-events", json),
            404,
            "not found"));
    rows.add(
        row(
            "lease event to the operator without the hook token",
            post("boot-node", "operator:/v1/dhcp-events", json),
            401,
            "missing header X-Pxe-Hook-Token"));
    rows.add(
        row(
            "lease event to the operator with a wrong hook token",
            post("boot-node", "operator:/v1/dhcp-events", json, "X-Pxe-Hook-Token: guess"),
            403,
            "wrong X-Pxe-Hook-Token"));
    rows.add(
        row(
            "refusal straight to the operator without the hook token",
            get("boot-node", "operator:/v1/notify/boot-refused?install=" + V + "&reason=memory"),
            401,
            "missing header"));
    return rows.stream();
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void shouldAnswerAStrangerAndLeaveTheVictimsInstallAsItWas(
      String name, Attack attack, int status, String reason) throws Exception {
    String before = state();
    double refusedBefore = notificationsNotFromTheMachine();

    HttpReply reply = attack.send();

    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    if (attack.path().startsWith("/ipxe/" + V)) {
      // nginx answers before its mirror reaches the operator: wait until the operator refused it
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> notificationsNotFromTheMachine() > refusedBefore);
    }
    assertThat(reply.body() + " " + reply.status()).contains(reason);
    assertThat(state()).isEqualTo(before);
    assertThat(net.phase(VICTIM)).isEqualTo(NodeInstallPhase.Installing);
  }

  @Order(2)
  @Test
  void shouldStillCountTheVictimsOwnRefusalFromItsLeasedAddress() {
    HttpReply reply =
        attackers
            .get("victim")
            .http("GET", BOOT + "/ipxe/refused/" + V + "/memory/1024", List.of(), null);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> net.phase(VICTIM) == NodeInstallPhase.Failed);
    assertThat(net.install(VICTIM).orElseThrow().getStatus().getBootRefusal()).contains("1024 MiB");
  }

  /** The operator's count of boot notifications it refused as not from the machine. */
  static double notificationsNotFromTheMachine() throws Exception {
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(net.operatorUrl() + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    return response
        .body()
        .lines()
        .filter(l -> l.startsWith("pxe_notifications_total{"))
        .filter(l -> l.contains("outcome=\"not-from-machine\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** What an attack must not change: the victim's install and the slots. */
  static String state() {
    StringBuilder out = new StringBuilder();
    for (Mac mac : List.of(VICTIM, OTHER)) {
      NodeInstall ni = net.install(mac).orElseThrow();
      var s = ni.getStatus();
      out.append(ni.getMetadata().getName())
          .append(" slot=")
          .append(ni.getSpec().getSlot())
          .append(" phase=")
          .append(s.getPhase())
          .append(" address=")
          .append(s.getAddress())
          .append(" refusal=")
          .append(s.getBootRefusal())
          .append(" bootScript=")
          .append(s.getBootScriptServedAt())
          .append(" answer=")
          .append(s.getAnswerServedAt())
          .append(" webhook=")
          .append(s.getWebhookReceivedAt())
          .append(" reason=")
          .append(s.getReason())
          .append('\n');
    }
    net
        .client()
        .resources(ProvisioningSlot.class)
        .inNamespace(net.settings().namespace())
        .list()
        .getItems()
        .stream()
        .sorted(java.util.Comparator.comparing(sl -> sl.getMetadata().getName()))
        .forEach(
            sl ->
                out.append(sl.getMetadata().getName())
                    .append(" labels=")
                    .append(
                        new java.util.TreeMap<>(
                            sl.getMetadata().getLabels() == null
                                ? Map.of()
                                : sl.getMetadata().getLabels()))
                    .append(" phase=")
                    .append(sl.getStatus() == null ? null : sl.getStatus().getPhase())
                    .append(" holder=")
                    .append(sl.getStatus() == null ? null : sl.getStatus().getNodeInstall())
                    .append('\n'));
    return out.toString();
  }
}
