package lan.homelab.pxe.http;

import static lan.homelab.pxe.http.HttpFixture.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import lan.homelab.pxe.answer.InstallerVersion;
import lan.homelab.pxe.api.v1alpha1.InstallInventory;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookTest {
  static final String MAC = "b4:2e:99:ac:ad:b4";
  static final String NAME = "b4-2e-99-ac-ad-b4";
  static final String TOKEN = "tok-5f3a9c0e1d2b4a6f8e7d9c1b3a5f7e9d";
  static final String OTHER_MAC = "52:54:00:00:00:02";
  static final String OTHER_TOKEN = "tok-0000000000000000000000000000other";

  static HttpFixture fx;
  static String body;

  @BeforeAll
  static void start() throws Exception {
    fx = new HttpFixture();
    try (InputStream in = WebhookTest.class.getResourceAsStream("post-hook-body.v1.2.json")) {
      body =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("only-present-on-9.2+-when-auth-token-is-set", TOKEN);
    }
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @BeforeEach
  void reset() {
    fx.reset();
    fx.install(MAC, NodeInstallPhase.Installing, "10.11.0.2", TOKEN);
    fx.install(OTHER_MAC, NodeInstallPhase.Installing, "10.11.0.3", OTHER_TOKEN);
  }

  HttpResponse<String> webhook(String path, String json) {
    return fx.post(path, "application/json; charset=utf-8", json);
  }

  static String url(String name, String token) {
    return "/v1/webhook/" + name + "/" + token;
  }

  @Test
  void shouldRecordTheInventoryOfAValidWebhook() {
    HttpResponse<String> response = webhook(url(NAME, TOKEN), body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"outcome\":\"accepted\"");
    NodeInstall ni = fx.nodeInstall(NAME);
    assertThat(ni.getStatus().getWebhookReceivedAt()).isEqualTo("2026-11-26T16:00:00Z");
    InstallInventory inv = ni.getStatus().getInventory();
    assertThat(inv.getFqdn()).isEqualTo("node1.example.com");
    assertThat(inv.getProductVersion()).isEqualTo("9.2.3");
    assertThat(inv.getIsoRelease()).isEqualTo("9.2-1");
    assertThat(inv.getDebianVersion()).isEqualTo("13.1");
    assertThat(inv.getKernelRelease()).isEqualTo("6.17.2-1-pve");
    assertThat(inv.getBootMode()).isEqualTo("efi");
    assertThat(inv.getSecureBoot()).isTrue();
    assertThat(inv.getCpuModel()).isEqualTo("Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz");
    assertThat(inv.getCpuCores()).isEqualTo(8);
    assertThat(inv.getCpuSockets()).isEqualTo(1);
    assertThat(inv.getCpus()).isEqualTo(16);
    assertThat(inv.getSystemSerial()).isEqualTo("S123456789");
    assertThat(inv.getSystemUuid()).isEqualTo("00000000-0000-0000-0000-ac1f6b000001");
    assertThat(inv.getMachineId()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(inv.getFilesystem()).isEqualTo("zfs (RAID1)");
    assertThat(inv.getDisks()).hasSize(2);
    assertThat(inv.getDisks().get(0).getDevice()).isEqualTo("/dev/sda");
    assertThat(inv.getDisks().get(0).getSerial()).isEqualTo("S2HRNX0J403419");
    assertThat(inv.getDisks().get(0).getSizeBytes()).isEqualTo(85899345920L);
    assertThat(inv.getDisks().get(0).getBootDisk()).isTrue();
    assertThat(inv.getNics()).hasSize(2);
    assertThat(inv.getNics().get(0).getName()).isEqualTo("eno1");
    assertThat(inv.getNics().get(0).getMac()).isEqualTo(MAC);
    assertThat(inv.getNics().get(0).getAddress()).isEqualTo("10.0.0.5/24");
    assertThat(inv.getNics().get(0).getManagement()).isTrue();
    assertThat(inv.getNics().get(1).getManagement()).isFalse();
    assertThat(inv.getSshHostKeys())
        .containsOnlyKeys("ecdsa", "ed25519", "rsa")
        .containsEntry("ed25519", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... root@node1");
    assertThat(fx.metrics.scrape()).contains("pxe_webhooks_total{outcome=\"accepted\"}");
  }

  @Test
  void shouldStoreWhatA925InstallerCouldNotGatherAsAbsentNotAsData() {
    String placeholders =
        "{\"$schema\":{\"version\":\"1.2\"},\"debian-version\":\"unknown\","
            + "\"product\":{\"fullname\":\"unknown\",\"short\":\"pve\",\"version\":\"unknown\"},"
            + "\"iso\":{\"release\":\"unknown\",\"isorelease\":\"unknown\"},"
            + "\"kernel-version\":{\"sysname\":\"unknown\",\"release\":\"unknown\","
            + "\"version\":\"unknown\",\"machine\":\"unknown\"},"
            + "\"boot-info\":{\"mode\":\"unknown\"},"
            + "\"cpu-info\":{\"cores\":0,\"cpus\":0,\"flags\":\"unknown\",\"hvm\":false,"
            + "\"model\":\"unknown\",\"sockets\":0},"
            + "\"dmi\":{\"system\":{\"serial\":\"unknown\",\"uuid\":\"unknown\"}},"
            + "\"filesystem\":\"unknown\",\"fqdn\":\"unknown\",\"machine-id\":\"unknown\","
            + "\"disks\":[],"
            + "\"network-interfaces\":[{\"name\":\"unknown\",\"mac\":\""
            + MAC
            + "\",\"address\":\"unknown\",\"is-management\":true,\"udev-properties\":{}},"
            + "{\"mac\":\"unknown\",\"udev-properties\":{}}],"
            + "\"ssh-public-host-keys\":{\"ecdsa\":\"unknown\"},\"reboot-mode\":\"reboot\","
            + "\"token\":\""
            + TOKEN
            + "\"}";

    HttpResponse<String> response = webhook(url(NAME, TOKEN), placeholders);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    InstallInventory inv = fx.nodeInstall(NAME).getStatus().getInventory();
    assertThat(inv.getDebianVersion()).isNull();
    assertThat(inv.getProductVersion()).isNull();
    assertThat(inv.getIsoRelease()).isNull();
    assertThat(inv.getKernelRelease()).isNull();
    assertThat(inv.getBootMode()).isNull();
    assertThat(inv.getCpuModel()).isNull();
    assertThat(inv.getCpuCores()).isNull();
    assertThat(inv.getCpuSockets()).isNull();
    assertThat(inv.getCpus()).isNull();
    assertThat(inv.getSystemSerial()).isNull();
    assertThat(inv.getSystemUuid()).isNull();
    assertThat(inv.getFilesystem()).isNull();
    assertThat(inv.getFqdn()).isNull();
    assertThat(inv.getMachineId()).isNull();
    assertThat(inv.getDisks()).isNull();
    assertThat(inv.getNics()).hasSize(2);
    assertThat(inv.getNics().get(0).getName()).isNull();
    assertThat(inv.getNics().get(0).getAddress()).isNull();
    assertThat(inv.getNics().get(0).getMac()).isEqualTo(MAC);
    assertThat(inv.getNics().get(1).getMac()).isNull();
    assertThat(inv.getSshHostKeys()).isNull();
  }

  @Test
  void shouldAcceptUpperCaseMacs() {
    HttpResponse<String> response =
        webhook(url(NAME, TOKEN), body.replace("b4:2e:99:ac:ad:b4", "B4:2E:99:AC:AD:B4"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(fx.nodeInstall(NAME).getStatus().getInventory().getNics().get(0).getMac())
        .isEqualTo(MAC);
  }

  @Test
  void shouldAcceptSchema10BodiesWithoutNamesOrTokenWhenTheInstallerIsOlder() throws Exception {
    String v10 =
        "{\"$schema\":{\"version\":\"1.0\"},\"fqdn\":\"pve1.homelab.lan\","
            + "\"network-interfaces\":[{\"mac\":\"B4:2E:99:AC:AD:B4\",\"address\":\"10.11.0.2/22\","
            + "\"is-management\":true,\"udev-properties\":{}}]}";
    try (HttpFixture old =
        new HttpFixture(OperatorSettings.fromMap(Map.of("installerVersion", "8.4")), null)) {
      old.install(MAC, NodeInstallPhase.Installing, "10.11.0.2", TOKEN);

      HttpResponse<String> response =
          old.post(url(NAME, TOKEN), "application/json; charset=utf-", v10);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(old.nodeInstall(NAME).getStatus().getInventory().getFqdn())
          .isEqualTo("pve1.homelab.lan");
    }
  }

  @Test
  void shouldRefuseAWrongUrlTokenAndChangeNothing() {
    String before = fx.state();

    HttpResponse<String> response = webhook(url(NAME, TOKEN + "x"), body);

    assertReason(response, 403, "token does not match");
    assertThat(fx.state()).isEqualTo(before);
    assertThat(fx.eventReasons(NAME)).contains("WebhookRefused");
  }

  @Test
  void shouldRefuseTheTokenOfAnotherNode() {
    String before = fx.state();

    HttpResponse<String> response =
        webhook(url(NAME, OTHER_TOKEN), body.replace(TOKEN, OTHER_TOKEN));

    assertReason(response, 403, "token does not match");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldRefuseAMissingBodyTokenFromEveryInstallerThatSendsOne() throws Exception {
    String withoutToken = body.replace("\"token\": \"" + TOKEN + "\"", "\"x\": 1");
    for (InstallerVersion version : InstallerVersion.values()) {
      if (!version.has(InstallerVersion.Feature.WEBHOOK_AUTH_TOKEN)) {
        continue;
      }
      try (HttpFixture installer =
          new HttpFixture(
              OperatorSettings.fromMap(Map.of("installerVersion", version.label())), null)) {
        installer.install(MAC, NodeInstallPhase.Installing, "10.11.0.2", TOKEN);
        String before = installer.state();

        HttpResponse<String> response =
            installer.post(url(NAME, TOKEN), "application/json; charset=utf-8", withoutToken);

        assertReason(response, 403, "token does not match");
        assertThat(installer.state()).as(version.label()).isEqualTo(before);
      }
    }
  }

  @Test
  void shouldRefuseAWrongBodyToken() {
    String before = fx.state();

    HttpResponse<String> response = webhook(url(NAME, TOKEN), body.replace(TOKEN, "forged"));

    assertReason(response, 403, "token does not match");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldRefuseAMachineWithoutTheInstallsMac() {
    String before = fx.state();

    HttpResponse<String> response =
        webhook(url(NAME, TOKEN), body.replace("b4:2e:99:ac:ad:b4", "02:00:00:00:00:01"));

    assertReason(response, 403, "does not have this install's MAC");
    assertThat(fx.state()).isEqualTo(before);
    assertThat(fx.eventReasons(NAME)).contains("WebhookRefused");
  }

  @Test
  void shouldAnswerAReplayAfterProvisionedWith200AndChangeNothing() {
    NodeInstall ni = fx.nodeInstall(NAME);
    ni.getStatus().setPhase(NodeInstallPhase.Provisioned);
    fx.client.resource(ni).updateStatus();
    String before = fx.state();

    HttpResponse<String> response = webhook(url(NAME, TOKEN), body.replace("node1", "evil"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("already_provisioned");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldRefuseAWebhookForAnInstallThatIsNotInstalling() {
    NodeInstall ni = fx.nodeInstall(NAME);
    ni.getStatus().setPhase(NodeInstallPhase.Waiting);
    fx.client.resource(ni).updateStatus();
    String before = fx.state();

    HttpResponse<String> response = webhook(url(NAME, TOKEN), body);

    assertReason(response, 409, "not installing");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldAnswer404ForUnknownInstallsAndMalformedUrls() {
    String before = fx.state();

    assertReason(webhook(url("02-00-00-00-00-09", TOKEN), body), 404, "no such install");
    assertReason(webhook(url("not-a-mac", TOKEN), body), 404, "no such webhook");
    assertReason(webhook(url(NAME, ""), body), 404, "no such webhook");
    assertReason(webhook("/v1/webhook/" + NAME, body), 404, "no such webhook");
    assertReason(webhook(url(NAME, TOKEN) + "/extra", body), 404, "no such webhook");
    assertReason(webhook(url(NAME, "%2e%2e"), body), 404, "no such webhook");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldRefuseInvalidJsonWith400() {
    String before = fx.state();

    assertReason(webhook(url(NAME, TOKEN), "{\"fqdn\": "), 400, "invalid JSON");
    assertReason(webhook(url(NAME, TOKEN), "{}"), 400, "missing field network-interfaces");
    assertReason(
        webhook(url(NAME, TOKEN), body.replace("\"cores\": 8", "\"cores\": \"eight\"")),
        400,
        "cpu-info.cores must be a non-negative integer");
    assertReason(
        webhook(url(NAME, TOKEN), body.replace("\"version\": \"1.2\"", "\"version\": \"2.0\"")),
        400,
        "unsupported webhook schema version");
    assertReason(
        webhook(url(NAME, TOKEN), "{\"network-interfaces\": [\"b4:2e:99:ac:ad:b4\"]}"),
        400,
        "network-interfaces[0] must be an object");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldRefuseOtherContentTypesAndMethods() {
    String before = fx.state();

    assertReason(fx.post(url(NAME, TOKEN), "text/plain", body), 415, "application/json");
    HttpResponse<String> get = fx.get(url(NAME, TOKEN));
    assertReason(get, 405, "method not allowed");
    assertThat(get.headers().firstValue("Allow")).contains("POST");
    assertThat(fx.state()).isEqualTo(before);
  }

  @Test
  void shouldRefuseA10MegabyteBodyWith413() throws IOException {
    String before = fx.state();
    String head =
        "POST "
            + url(NAME, TOKEN)
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: 10485760\r\n\r\n";
    byte[] request = new byte[head.length() + 10 * 1024 * 1024];
    System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, request, 0, head.length());
    java.util.Arrays.fill(request, head.length(), request.length, (byte) ' ');

    String answer = fx.rawWhileSending(request);

    assertThat(answer).startsWith("HTTP/1.1 413").contains("body larger than 1048576 bytes");
    assertThat(fx.state()).isEqualTo(before);
    assertThat(fx.get("/healthz").statusCode()).isEqualTo(200);
  }
}
