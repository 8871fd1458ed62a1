package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.net.Client.HttpReply;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.render.BootUrls;
import lan.homelab.pxe.render.IpxeScripts;
import lan.homelab.pxe.render.NginxConfRenderer;
import lan.homelab.pxe.sync.AtomicFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rendered nginx.conf run by a real nginx in the lab's server namespace, asked by machines with
 * their own addresses, with requests exactly like the installer's.
 */
class NginxOnRealNginxTest {
  static final String BASE = "http://10.11.0.1:8080";
  static final Mac NODE = Mac.parse("52:54:00:00:03:02");
  static final List<String> INSTALLER_HEADERS =
      List.of(
          "Content-Type: application/json; charset=utf-8",
          "Accept: application/json, application/toml;q=0.5");

  static NetLab lab;
  static BootDir dir;
  static Path notifications;
  static Path answerRequest;
  static Path webhookBody;
  static Client node2;
  static Client node3;
  static Client stranger;

  @BeforeAll
  static void startNginx() throws IOException {
    NetPrerequisites.require("nginx", "curl");
    Path work =
        Path.of("target", "netlab", "nginx-" + ProcessHandle.current().pid()).toAbsolutePath();
    lab = NetLab.create(work, "10.11.0.1/22");
    dir = new BootDir(work.resolve("boot"));
    BootStack stack = new BootStack(lab, dir);
    OperatorSettings settings = OperatorSettings.defaults();
    AtomicFiles.write(
        dir.nginxConf(), dir.relocate(NginxConfRenderer.render(settings, "http://10.11.0.1:9091")));
    AtomicFiles.write(
        dir.hookTokenInclude(), NginxConfRenderer.tokenInclude("hook-secret"), AtomicFiles.SECRET);
    AtomicFiles.write(dir.hookToken(), "hook-secret\n", AtomicFiles.SECRET);
    AtomicFiles.write(dir.genericIpxe(), IpxeScripts.generic(BootUrls.of(settings)));
    AtomicFiles.write(
        dir.nodeIpxe(NODE),
        IpxeScripts.node(BootUrls.of(settings), NODE, Ipv4.parse("10.11.0.2"), "peach-beach"));
    AtomicFiles.write(dir.answer(Ipv4.parse("10.11.0.2")), "# answer of 10.11.0.2\n");
    AtomicFiles.write(dir.answer(Ipv4.parse("10.11.0.3")), "# answer of 10.11.0.3\n");
    AtomicFiles.write(dir.assetsDir().resolve("vmlinuz"), "kernel bytes\n");
    AtomicFiles.write(
        dir.assetsAllowInclude(),
        NginxConfRenderer.assetsAllowInclude(List.of(Ipv4.parse("10.11.0.2"))));
    answerRequest = copy("answer-request-body.v9.2.json", work);
    webhookBody = copy("post-hook-body.v1.2.json", work);
    notifications = work.resolve("notifications.jsonl");
    lab.start(
        lab.serverNamespace(),
        List.of(
            NetLab.PYTHON,
            lab.script("hook-receiver.py").toString(),
            "10.11.0.1",
            "9091",
            notifications.toString()),
        "receiver");
    stack.startNginx();
    node2 = lab.addClient(NODE);
    node2.configureAddress("10.11.0.2/22");
    node3 = lab.addClient(Mac.parse("52:54:00:00:03:03"));
    node3.configureAddress("10.11.0.3/22");
    stranger = lab.addClient(Mac.parse("52:54:00:00:03:32"));
    stranger.configureAddress("10.11.0.50/22");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> stranger.http("GET", BASE + "/boot.ipxe", List.of(), null).status() == 200);
  }

  @AfterAll
  static void tearDown() {
    if (lab != null) {
      lab.close();
    }
  }

  static Path copy(String resource, Path work) throws IOException {
    try (InputStream in = NginxOnRealNginxTest.class.getResourceAsStream(resource)) {
      Path target = work.resolve(resource);
      Files.write(target, in.readAllBytes());
      return target;
    }
  }

  static List<String> notificationsFor(String path) throws IOException {
    if (!Files.exists(notifications)) {
      return List.of();
    }
    return Files.readAllLines(notifications).stream().filter(l -> l.contains(path)).toList();
  }

  @Test
  void shouldAnswerTheInstallersPostWithTheFileOfTheRequestingAddress() {
    HttpReply two = node2.http("POST", BASE + "/answer", INSTALLER_HEADERS, answerRequest);
    HttpReply three = node3.http("POST", BASE + "/answer", INSTALLER_HEADERS, answerRequest);

    assertThat(two.status()).isEqualTo(200);
    assertThat(two.body()).isEqualTo("# answer of 10.11.0.2\n");
    assertThat(three.status()).isEqualTo(200);
    assertThat(three.body()).isEqualTo("# answer of 10.11.0.3\n");
  }

  @Test
  void shouldAnswer429ToOneAddressBeyondItsRateWhileOthersAreStillServed() throws IOException {
    Mac flooded = Mac.parse("52:54:00:00:03:60");
    AtomicFiles.write(dir.nodeIpxe(flooded), "#!ipxe\n");
    Client flooder = lab.addClient(flooded);
    flooder.configureAddress("10.11.0.60/22");
    String url = BASE + "/ipxe/" + flooded.objectName();
    List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-s", "-m", "20"));
    for (int i = 0; i < 40; i++) {
      cmd.addAll(List.of("-o", "/dev/null", "-w", "%{http_code}\n", url));
    }

    long started = System.nanoTime();
    Cmd.Result r = lab.exec(flooder.namespace(), cmd, 30);
    double seconds = (System.nanoTime() - started) / 1e9;
    List<String> codes = r.out().lines().toList();

    assertThat(codes).hasSize(40).contains("429");
    long served = codes.stream().filter("200"::equals).count();
    assertThat(served)
        .as("burst plus the rate over %.1f s", seconds)
        .isLessThanOrEqualTo(
            NginxConfRenderer.PER_CLIENT_BURST
                + 1
                + (long) Math.ceil(seconds * NginxConfRenderer.PER_CLIENT_RATE));
    assertThat(node2.http("GET", url, List.of(), null).status()).isEqualTo(200);
  }

  @Test
  void shouldAnswer404ToAnAddressThatHoldsNoInstall() {
    HttpReply reply = stranger.http("POST", BASE + "/answer", INSTALLER_HEADERS, answerRequest);

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.body()).doesNotContain("answer of");
  }

  @Test
  void shouldTellTheOperatorWhichAddressFetchedItsAnswerWithTheOriginalBody() throws IOException {
    node3.http("POST", BASE + "/answer", INSTALLER_HEADERS, answerRequest);
    String body = Files.readString(answerRequest);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                notificationsFor("/v1/notify/answer-served").stream()
                    .anyMatch(l -> l.contains("\"x-real-ip\": \"10.11.0.3\"")));
    String note =
        notificationsFor("/v1/notify/answer-served").stream()
            .filter(l -> l.contains("\"x-real-ip\": \"10.11.0.3\""))
            .findFirst()
            .orElseThrow();
    assertThat(note).contains("\"x-pxe-hook-token\": \"hook-secret\"");
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(note);
    assertThat(json.path("body").asText()).isEqualTo(body);
  }

  @Test
  void shouldNotNotifyAnswerServedForARefusedAddress() throws IOException {
    stranger.http("POST", BASE + "/answer", INSTALLER_HEADERS, answerRequest);
    node2.http("POST", BASE + "/answer", INSTALLER_HEADERS, answerRequest);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                notificationsFor("/v1/notify/answer-served").stream()
                    .anyMatch(l -> l.contains("10.11.0.2")));
    assertThat(notificationsFor("/v1/notify/answer-served"))
        .noneMatch(l -> l.contains("10.11.0.50"));
  }

  @Test
  void shouldRefuseOtherMethodsAndPathsOutsideTheServedTrees() {
    assertThat(node2.http("GET", BASE + "/answer", List.of(), null).status()).isEqualTo(403);
    assertThat(node2.http("POST", BASE + "/boot.ipxe", List.of(), answerRequest).status())
        .isEqualTo(405);
    assertThat(node2.http("GET", BASE + "/secrets/hook-token", List.of(), null).status())
        .isEqualTo(404);
    assertThat(node2.http("GET", BASE + "/answers/10.11.0.2.toml", List.of(), null).status())
        .isEqualTo(404);
    assertThat(node2.http("GET", BASE + "/assets/../secrets/hook-token", List.of(), null).status())
        .isEqualTo(404);
    assertThat(node2.http("GET", BASE + "/assets/vmlinuz", List.of(), null).body())
        .isEqualTo("kernel bytes\n");
  }

  @Test
  void shouldServePerNodeScriptByMacOnlyOnceItExistsAndReportIt() throws IOException {
    HttpReply unclaimed = stranger.http("GET", BASE + "/ipxe/52-54-00-00-03-32", List.of(), null);
    HttpReply claimed = node2.http("GET", BASE + "/ipxe/" + NODE.objectName(), List.of(), null);

    assertThat(unclaimed.status()).isEqualTo(404);
    assertThat(claimed.status()).isEqualTo(200);
    assertThat(claimed.body()).startsWith("#!ipxe").contains("peach-beach");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                notificationsFor("/v1/notify/boot-script-served?install=" + NODE.objectName())
                        .size()
                    == 1);
    assertThat(notificationsFor("install=52-54-00-00-03-32")).isEmpty();
  }

  @Test
  void shouldPassTheMemoryCheckOnlyFromAboutSixGibibytes() {
    assertThat(node2.http("GET", BASE + "/ipxe/memory-ok/8192", List.of(), null).status())
        .isEqualTo(200);
    assertThat(node2.http("GET", BASE + "/ipxe/memory-ok/6000", List.of(), null).status())
        .isEqualTo(200);
    assertThat(node2.http("GET", BASE + "/ipxe/memory-ok/5999", List.of(), null).status())
        .isEqualTo(404);
    assertThat(node2.http("GET", BASE + "/ipxe/memory-ok/512", List.of(), null).status())
        .isEqualTo(404);
  }

  @Test
  void shouldForwardTheWebhookToTheOperatorWithTheSenderAddress() throws IOException {
    HttpReply reply =
        node2.http(
            "POST",
            BASE + "/v1/webhook/52-54-00-00-03-02/sometoken",
            List.of("Content-Type: application/json"),
            webhookBody);

    assertThat(reply.status()).isEqualTo(200);
    List<String> forwarded = notificationsFor("/v1/webhook/52-54-00-00-03-02/sometoken");
    assertThat(forwarded).hasSize(1);
    assertThat(forwarded.get(0)).contains("\"x-real-ip\": \"10.11.0.2\"");
    assertThat(node2.http("GET", BASE + "/v1/webhook/a/b", List.of(), null).status())
        .isEqualTo(403);
  }

  @Test
  void shouldServeAssetsOnlyToAddressesThatHoldAnInstallingMachineAndFollowAReload()
      throws IOException {
    assertThat(node2.http("GET", BASE + "/assets/vmlinuz", List.of(), null).body())
        .isEqualTo("kernel bytes\n");
    assertThat(stranger.http("GET", BASE + "/assets/vmlinuz", List.of(), null).status())
        .isEqualTo(403);
    assertThat(node3.http("GET", BASE + "/assets/vmlinuz", List.of(), null).status())
        .isEqualTo(403);

    AtomicFiles.write(
        dir.assetsAllowInclude(),
        NginxConfRenderer.assetsAllowInclude(
            List.of(Ipv4.parse("10.11.0.2"), Ipv4.parse("10.11.0.3"))));
    new lan.homelab.pxe.sync.BootSignals(dir).reloadNginx();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> node3.http("GET", BASE + "/assets/vmlinuz", List.of(), null).status() == 200);
    assertThat(stranger.http("GET", BASE + "/assets/vmlinuz", List.of(), null).status())
        .isEqualTo(403);
    AtomicFiles.write(
        dir.assetsAllowInclude(),
        NginxConfRenderer.assetsAllowInclude(List.of(Ipv4.parse("10.11.0.2"))));
    new lan.homelab.pxe.sync.BootSignals(dir).reloadNginx();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> node3.http("GET", BASE + "/assets/vmlinuz", List.of(), null).status() == 403);
  }
}
