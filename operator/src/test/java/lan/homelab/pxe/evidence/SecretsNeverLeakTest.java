package lan.homelab.pxe.evidence;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.AnswerRequestFacts;
import lan.homelab.pxe.api.v1alpha1.InstallInventory;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.install.NodeAnswers;
import lan.homelab.pxe.install.WebhookOutcome;
import lan.homelab.pxe.install.WebhookReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A full install with a plain root password never shows that password anywhere but its Secret, and
 * a node's webhook token only in that node's own answer ConfigMap (by design: the answer carries
 * the webhook URL {@code <webhookUrl>/v1/webhook/<nodeinstall>/<token>}, see {@link
 * NodeAnswers#webhookUrl}, and nginx serves that answer only to the node's reserved address); not
 * in other ConfigMaps, Events, status or logs. A stranger can neither mark a node provisioned,
 * claim a slot without being a PXE client, nor have an answer fetch recorded for another node.
 */
class SecretsNeverLeakTest {
  private static final String PASSWORD = "Plain-Root-Pw-7f3a9c!zz";
  private static final String HOOK = "hook-token-for-secrets-test-0123";
  private static final String MAC_A = "52:54:00:00:00:0a";
  private static final String MAC_B = "52:54:00:00:00:0b";
  private static final String A = Mac.parse(MAC_A).objectName();
  private static final String B = Mac.parse(MAC_B).objectName();

  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private PrintStream out;
  private PrintStream err;
  private MockApi api;
  private KubernetesClient client;
  private OperatorMain operator;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    out = System.out;
    err = System.err;
    System.setOut(new PrintStream(new Tee(out, logs), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(err, logs), true, StandardCharsets.UTF_8));
    api = new MockApi(NS);
    client = api.client();
    client.secrets().inNamespace(NS).withName(Names.SECRET_ROOT_PASSWORD).delete();
    await()
        .until(
            () ->
                client.secrets().inNamespace(NS).withName(Names.SECRET_ROOT_PASSWORD).get()
                    == null);
    secret(Names.SECRET_ROOT_PASSWORD, "password", PASSWORD);
    secret(Names.SECRET_DHCP_HOOK, Names.KEY_TOKEN, HOOK);
    Fixtures.seedSlots(client);
    operator =
        new OperatorMain(client, OperatorSettings.defaults(), Clock.systemUTC())
            .withHttpPort(0)
            .start();
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
    System.setOut(out);
    System.setErr(err);
  }

  @Test
  void shouldKeepThePasswordAndTokensOutOfConfigMapsEventsStatusAndLogs() {
    operator.reports().discovered(Fixtures.pxe(MAC_A));
    operator.reports().discovered(Fixtures.pxe(MAC_B));
    await().until(() -> phase(A) == NodeInstallPhase.Installing && nodeConfigMap(A) != null);
    await().until(() -> phase(B) == NodeInstallPhase.Installing && nodeConfigMap(B) != null);
    String tokenA = token(A);
    String tokenB = token(B);
    assertThat(nodeConfigMap(A).getData().get(Names.KEY_ANSWER))
        .as("the answer carries its own webhook URL")
        .contains("/v1/webhook/" + A + "/" + tokenA)
        .doesNotContain(PASSWORD)
        .contains("root-password-hashed");
    List<String> whileInstalling = everythingVisible();

    operator.reports().bootScriptServed(A, Ipv4.parse("10.11.0.2"));
    operator.reports().answerServed(Ipv4.parse("10.11.0.2"), facts(MAC_A));
    assertThat(operator.reports().webhookReceived(A, tokenA, webhook(MAC_A, tokenA)))
        .isEqualTo(WebhookOutcome.ACCEPTED);
    await().until(() -> phase(A) == NodeInstallPhase.Provisioned && nodeConfigMap(A) == null);
    List<String> after = everythingVisible();

    for (List<String> seen : List.of(whileInstalling, after)) {
      for (String item : seen) {
        assertThat(item).doesNotContain(PASSWORD);
        if (!item.startsWith("ConfigMap/" + Names.CONFIGMAP_NODE_PREFIX + A + " ")) {
          assertThat(item).doesNotContain(tokenA);
        }
        if (!item.startsWith("ConfigMap/" + Names.CONFIGMAP_NODE_PREFIX + B + " ")) {
          assertThat(item).doesNotContain(tokenB);
        }
      }
    }
    String log = logs.toString(StandardCharsets.UTF_8);
    assertThat(log).as("captured logs").isNotEmpty();
    assertThat(log).doesNotContain(PASSWORD).doesNotContain(tokenA).doesNotContain(tokenB);
    assertThat(log).doesNotContain(HOOK);
  }

  @Test
  void shouldNotLetAStrangerMarkProvisionedClaimOrRecordAnotherNodesAnswer() throws Exception {
    operator.reports().discovered(Fixtures.pxe(MAC_A));
    operator.reports().discovered(Fixtures.pxe(MAC_B));
    await().until(() -> phase(A) == NodeInstallPhase.Installing && nodeConfigMap(A) != null);
    await().until(() -> phase(B) == NodeInstallPhase.Installing && nodeConfigMap(B) != null);
    String tokenA = token(A);

    // No token, a guessed one, B's own token: A stays Installing.
    assertThat(post("/v1/webhook/" + A, null, "{}", null).statusCode()).isEqualTo(404);
    assertThat(post("/v1/webhook/" + A + "/guess", "application/json", "{}", null).statusCode())
        .isIn(400, 403);
    assertThat(
            post("/v1/webhook/" + A + "/" + token(B), "application/json", webhookJson(MAC_A), null)
                .statusCode())
        .isEqualTo(403);
    // A DHCP event that is no PXE client, or one without the hook token, claims nothing.
    String plain = "{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0c\",\"ip\":\"10.11.3.201\"}";
    assertThat(post("/v1/dhcp-events", "application/json", plain, HOOK).body())
        .contains("not a PXE client");
    String pxe =
        "{\"action\":\"add\",\"mac\":\"52:54:00:00:00:0d\",\"ip\":\"10.11.3.202\","
            + "\"vendorClass\":\"PXEClient:Arch:00000:UNDI:002001\"}";
    assertThat(post("/v1/dhcp-events", "application/json", pxe, null).statusCode()).isEqualTo(401);
    // An answer fetch from B's address is B's, never A's; from a free slot's address, nobody's.
    assertThat(operator.reports().answerServed(Ipv4.parse("10.11.0.3"), facts(MAC_A))).contains(B);
    assertThat(operator.reports().answerServed(Ipv4.parse("10.11.0.4"), facts(MAC_A))).isEmpty();

    NodeInstall a = client.resources(NodeInstall.class).inNamespace(NS).withName(A).get();
    assertThat(a.getStatus().getPhase()).isEqualTo(NodeInstallPhase.Installing);
    assertThat(a.getStatus().getWebhookReceivedAt()).isNull();
    assertThat(a.getStatus().getAnswerServedAt()).isNull();
    assertThat(client.resources(NodeInstall.class).inNamespace(NS).list().getItems()).hasSize(2);
    assertThat(
            client.resources(ProvisioningSlot.class).inNamespace(NS).list().getItems().stream()
                .filter(s -> !Fixtures.labels(s).isEmpty()))
        .hasSize(2);
    assertThat(tokenA).isNotBlank();
  }

  /** Every ConfigMap, Event and status the cluster shows, one string each, named by kind/name. */
  private List<String> everythingVisible() {
    var json = client.getKubernetesSerialization();
    List<String> items = new ArrayList<>();
    client
        .configMaps()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(
            cm -> items.add("ConfigMap/" + cm.getMetadata().getName() + " " + json.asJson(cm)));
    client
        .v1()
        .events()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(e -> items.add("Event/" + e.getMetadata().getName() + " " + json.asJson(e)));
    client
        .resources(NodeInstall.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(n -> items.add("NodeInstall/" + n.getMetadata().getName() + " " + json.asJson(n)));
    client
        .resources(ProvisioningSlot.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(s -> items.add("Slot/" + s.getMetadata().getName() + " " + json.asJson(s)));
    assertThat(items).anyMatch(i -> i.startsWith("Event/"));
    return items;
  }

  private HttpResponse<String> post(String path, String type, String body, String hook)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    if (hook != null) {
      b.header(Names.HEADER_HOOK_TOKEN, hook);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void secret(String name, String key, String value) {
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToData(
                    key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
  }

  private NodeInstallPhase phase(String name) {
    NodeInstall ni = client.resources(NodeInstall.class).inNamespace(NS).withName(name).get();
    return ni == null || ni.getStatus() == null ? null : ni.getStatus().getPhase();
  }

  private ConfigMap nodeConfigMap(String name) {
    return client.configMaps().inNamespace(NS).withName(Names.CONFIGMAP_NODE_PREFIX + name).get();
  }

  private String token(String name) {
    var secret = client.secrets().inNamespace(NS).withName(Names.tokenSecret(name)).get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(Names.KEY_TOKEN)), StandardCharsets.UTF_8);
  }

  private static AnswerRequestFacts facts(String mac) {
    AnswerRequestFacts facts = new AnswerRequestFacts();
    facts.setMacs(List.of(mac));
    return facts;
  }

  private static String webhookJson(String mac) {
    return "{\"network-interfaces\":[{\"name\":\"eno1\",\"mac\":\"" + mac + "\"}]}";
  }

  private static WebhookReport webhook(String mac, String token) {
    InstallInventory inventory = new InstallInventory();
    inventory.setFqdn("peach-beach.homelab.lan");
    return new WebhookReport(List.of(Mac.parse(mac)), token, inventory);
  }

  /** Writes to the real stream and to the capture. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      synchronized (b) {
        b.write(c);
      }
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      synchronized (b) {
        b.write(buf, off, len);
      }
    }
  }
}
