package lan.homelab.pxe.lab.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotStatus;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.lab.Kubectl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl against the front, the way README tells users to drive the lab. */
class KubectlAgainstEmbeddedApiTest {
  private static final String NS = "pxe-system";

  @TempDir Path dir;
  private EmbeddedApiServer api;
  private KubernetesClient client;
  private Kubectl kubectl;

  @BeforeEach
  void start() throws Exception {
    api = new EmbeddedApiServer(0).start();
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl(api.url())
                    .withNamespace(NS)
                    .withOnlyHttpWatches(true)
                    .build())
            .build();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    kubectl = Kubectl.forKubeconfig(api.writeKubeconfig(dir.resolve("kubeconfig"), NS), dir);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    api.close();
  }

  private ProvisioningSlot createSlot(String name, String address, String hostname) {
    var slot = new ProvisioningSlot();
    slot.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    var spec = new ProvisioningSlotSpec();
    spec.setAddress(address);
    spec.setHostname(hostname);
    slot.setSpec(spec);
    var created = client.resources(ProvisioningSlot.class).resource(slot).create();
    var status = new ProvisioningSlotStatus();
    status.setPhase(SlotPhase.Available);
    status.setHostname(hostname);
    created.setStatus(status);
    return client.resources(ProvisioningSlot.class).resource(created).updateStatus();
  }

  private NodeInstall createNodeInstall(String name, String mac) {
    var node = new NodeInstall();
    node.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    var spec = new NodeInstallSpec();
    spec.setMac(mac);
    node.setSpec(spec);
    var created = client.resources(NodeInstall.class).resource(node).create();
    var status = new NodeInstallStatus();
    status.setPhase(NodeInstallPhase.Installing);
    status.setAddress("10.11.0.2");
    status.setHostname("peach-beach");
    status.setLastStep("BootScriptServed");
    created.setStatus(status);
    return client.resources(NodeInstall.class).resource(created).updateStatus();
  }

  @Test
  void shouldListNodeInstallsAndSlotsWithTheirPrinterColumns() throws Exception {
    createNodeInstall("aa-bb-cc-dd-ee-01", "aa:bb:cc:dd:ee:01");
    createSlot("peach-beach", "10.11.0.2", "peach-beach");

    String nodes = kubectl.run("get", "nodeinstalls").assertOk().stdout();
    assertThat(nodes.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "AGE", "MAC", "ADDRESS", "HOSTNAME", "LAST-STEP", "PHASE");
    assertThat(nodes)
        .containsPattern(
            "aa-bb-cc-dd-ee-01\\s+\\d+s\\s+aa:bb:cc:dd:ee:01\\s+10\\.11\\.0\\.2\\s+peach-beach"
                + "\\s+BootScriptServed\\s+Installing");

    String slots = kubectl.run("get", "provisioningslots").assertOk().stdout();
    assertThat(slots.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "AGE", "ADDRESS", "HOSTNAME", "MAC", "ORDER", "PHASE");
    assertThat(slots)
        .containsPattern("peach-beach\\s+\\d+s\\s+10\\.11\\.0\\.2\\s+peach-beach\\s+Available");
    assertThat(withoutAges(kubectl.run("get", "pslot").assertOk().stdout()))
        .isEqualTo(withoutAges(slots));
    assertThat(kubectl.run("get", "ni", "-A").assertOk().stdout())
        .contains("NAMESPACE")
        .contains(NS);
  }

  private static String withoutAges(String table) {
    return table.replaceAll("\\b\\d+s\\b", "AGE");
  }

  @Test
  void shouldCreateThenConfigureASlotWithApply() throws Exception {
    Path file = dir.resolve("slot.yaml");
    Files.writeString(file, slotYaml("toad-harbor"));
    assertThat(kubectl.run("apply", "-f", file.toString()).assertOk().stdout())
        .contains("provisioningslot.pxe.homelab.lan/extra created");

    Files.writeString(file, slotYaml("daisy-circuit"));
    assertThat(kubectl.run("apply", "-f", file.toString()).assertOk().stdout())
        .contains("provisioningslot.pxe.homelab.lan/extra configured");

    var stored = client.resources(ProvisioningSlot.class).withName("extra").get();
    assertThat(stored.getSpec().getHostname()).isEqualTo("daisy-circuit");
    assertThat(stored.getSpec().getAddress()).isEqualTo("10.11.0.7");
    assertThat(stored.getMetadata().getGeneration()).isEqualTo(2L);
  }

  private static String slotYaml(String hostname) {
    return """
        apiVersion: pxe.homelab.lan/v1alpha1
        kind: ProvisioningSlot
        metadata:
          name: extra
        spec:
          address: 10.11.0.7
          hostname: %s
        """
        .formatted(hostname);
  }

  @Test
  void shouldPatchAnnotateAndLabelForManualInterventions() throws Exception {
    createSlot("peach-beach", "10.11.0.2", "peach-beach");
    createNodeInstall("aa-bb-cc-dd-ee-01", "aa:bb:cc:dd:ee:01");

    assertThat(
            kubectl
                .run(
                    "patch",
                    "pslot",
                    "peach-beach",
                    "--type",
                    "merge",
                    "-p",
                    "{\"spec\":{\"paused\":true}}")
                .assertOk()
                .stdout())
        .contains("patched");
    assertThat(
            kubectl
                .run(
                    "annotate",
                    "nodeinstall",
                    "aa-bb-cc-dd-ee-01",
                    ApiConstants.ANNOTATION_RETRY + "=now")
                .assertOk()
                .stdout())
        .contains("annotated");
    kubectl.run("label", "pslot", "peach-beach", "rack=top").assertOk();

    var slot = client.resources(ProvisioningSlot.class).withName("peach-beach").get();
    assertThat(slot.getSpec().getPaused()).isTrue();
    assertThat(slot.getSpec().getAddress()).isEqualTo("10.11.0.2");
    assertThat(slot.getStatus().getPhase()).isEqualTo(SlotPhase.Available);
    assertThat(slot.getMetadata().getLabels()).containsEntry("rack", "top");
    assertThat(kubectl.run("get", "pslot", "-l", "rack=top").assertOk().stdout())
        .contains("peach-beach");
    assertThat(
            client
                .resources(NodeInstall.class)
                .withName("aa-bb-cc-dd-ee-01")
                .get()
                .getMetadata()
                .getAnnotations())
        .containsEntry(ApiConstants.ANNOTATION_RETRY, "now");

    kubectl.run("label", "pslot", "peach-beach", "rack-").assertOk();
    assertThat(
            client
                .resources(ProvisioningSlot.class)
                .withName("peach-beach")
                .get()
                .getMetadata()
                .getLabels())
        .doesNotContainKey("rack");
  }

  @Test
  void shouldDescribeANodeInstallWithItsEvents() throws Exception {
    var node = createNodeInstall("aa-bb-cc-dd-ee-01", "aa:bb:cc:dd:ee:01");
    createNodeInstall("aa-bb-cc-dd-ee-02", "aa:bb:cc:dd:ee:02");
    event(
        "e1",
        node.getMetadata().getName(),
        node.getMetadata().getUid(),
        "Claimed",
        "took slot peach-beach");
    event("e2", "aa-bb-cc-dd-ee-02", "other-uid", "Claimed", "took slot moo-moo-meadows");

    String described =
        kubectl.run("describe", "nodeinstall", "aa-bb-cc-dd-ee-01").assertOk().stdout();

    assertThat(described)
        .contains("Name:         aa-bb-cc-dd-ee-01")
        .contains("Phase:")
        .containsPattern("Events:\\s+Type\\s+Reason\\s+Age\\s+From\\s+Message")
        .containsPattern("Normal\\s+Claimed\\s+.*pxe-operator\\s+took slot peach-beach")
        .doesNotContain("moo-moo-meadows");
    assertThat(kubectl.run("get", "events").assertOk().stdout())
        .containsPattern("LAST SEEN\\s+TYPE\\s+REASON\\s+OBJECT\\s+MESSAGE")
        .containsPattern(
            "\\S+\\s+Normal\\s+Claimed\\s+nodeinstall/aa-bb-cc-dd-ee-01\\s+took slot peach-beach");
  }

  private void event(String name, String nodeName, String uid, String reason, String message) {
    client
        .v1()
        .events()
        .inNamespace(NS)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(ApiConstants.GROUP + "/" + ApiConstants.VERSION)
                .withKind("NodeInstall")
                .withName(nodeName)
                .withNamespace(NS)
                .withUid(uid)
                .endInvolvedObject()
                .withType("Normal")
                .withReason(reason)
                .withMessage(message)
                .withNewSource("pxe-operator", null)
                .withFirstTimestamp("2026-11-26T12:00:00Z")
                .withLastTimestamp("2026-11-26T12:00:00Z")
                .withCount(1)
                .build())
        .create();
  }

  @Test
  void shouldStreamChangesWithGetWatch() throws Exception {
    var slot = createSlot("peach-beach", "10.11.0.2", "peach-beach");
    Path out = dir.resolve("watch.txt");
    Process watch = kubectl.start(out, "get", "pslot", "-w", "--request-timeout=60s");
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Files.readString(out).contains("Available"));

      slot.getStatus().setPhase(SlotPhase.Claimed);
      client.resources(ProvisioningSlot.class).resource(slot).updateStatus();

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(Files.readString(out).lines().toList())
                      .hasSize(3)
                      .last()
                      .asString()
                      .containsPattern(
                          "peach-beach\\s+\\d+s\\s+10\\.11\\.0\\.2\\s+peach-beach\\s+Claimed"));
    } finally {
      Kubectl.stop(watch);
    }
  }

  @Test
  void shouldDeleteASlot() throws Exception {
    createSlot("peach-beach", "10.11.0.2", "peach-beach");

    assertThat(kubectl.run("delete", "pslot", "peach-beach").assertOk().stdout())
        .contains("provisioningslot.pxe.homelab.lan \"peach-beach\" deleted");
    assertThat(client.resources(ProvisioningSlot.class).withName("peach-beach").get()).isNull();
    assertThat(kubectl.run("get", "pslot", "peach-beach").stderr())
        .contains("provisioningslots.pxe.homelab.lan \"peach-beach\" not found");
  }

  @Test
  void shouldCreateAConfigMapAndASecretFromKubectlsTypedCreateSentAsProtobuf() throws Exception {
    kubectl.run("create", "configmap", "typed", "--from-literal=a=b").assertOk();
    kubectl.run("create", "secret", "generic", "typed", "--from-literal=token=t0k3n").assertOk();

    assertThat(client.configMaps().inNamespace(NS).withName("typed").get().getData())
        .containsEntry("a", "b");
    assertThat(client.secrets().inNamespace(NS).withName("typed").get().getData())
        .containsEntry("token", "dDBrM24=");
  }

  @Test
  void shouldRefuseTypedCreateClearlyWhenKubectlSendsProtobuf() throws Exception {
    var result = kubectl.run("create", "namespace", "demo");

    // kubectl 1.32 sends protobuf here and gets a clear 415; Debian's kubectl 1.20 sends JSON
    if (result.exitCode() != 0) {
      assertThat(result.stderr())
          .contains("UnsupportedMediaType")
          .contains("use kubectl apply -f / create -f");
      assertThat(client.namespaces().withName("demo").get()).isNull();
    } else {
      assertThat(client.namespaces().withName("demo").get()).isNotNull();
    }
    Files.writeString(
        dir.resolve("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo2\n");
    kubectl.run("create", "-f", dir.resolve("ns.yaml").toString()).assertOk();
    assertThat(client.namespaces().withName("demo2").get()).isNotNull();
  }
}
