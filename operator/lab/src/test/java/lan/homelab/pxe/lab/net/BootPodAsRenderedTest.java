package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.chart.HelmChart;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.api.EmbeddedApiServer;
import lan.homelab.pxe.lab.api.rbac.AccessDecision;
import lan.homelab.pxe.lab.kubelet.KubeletStandIn;
import lan.homelab.pxe.lab.kubelet.KubeletStandIn.RunningPod;
import lan.homelab.pxe.lab.net.Client.HttpReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The chart's boot pod started as the chart renders it (by the {@link KubeletStandIn}: its
 * commands, users, groups, capabilities, volumes and probes) on the lab LAN, with the operator
 * under the chart's Role, against an API front that enforces the chart's Roles: machines boot
 * through it to Provisioned. What a {@code helm install} on rainbow-road runs, minus the images.
 */
class BootPodAsRenderedTest {
  static final String NS = HelmChart.NAMESPACE;
  static final String BOOT = "http://10.11.0.1:8080";

  /** The queue, as the chart's slots value renders it. */
  static final String FIVE_SLOTS =
      """
      slots:
        - {address: 10.11.0.2, hostname: peach-beach}
        - {address: 10.11.0.3, hostname: moo-moo-meadows}
        - {address: 10.11.0.4, hostname: node-4}
        - {address: 10.11.0.5, hostname: node-5}
        - {address: 10.11.0.6, hostname: node-6}
      """;

  static final String BOOT_USER = "system:serviceaccount:" + NS + ":pxe-boot";

  static final java.util.concurrent.atomic.AtomicInteger RUNS =
      new java.util.concurrent.atomic.AtomicInteger();

  NetLab lab;
  EmbeddedApiServer api;
  KubernetesClient admin;
  KubernetesClient operatorClient;
  OperatorMain operator;
  RunningPod operatorPod;
  String operatorAddress;
  RunningPod pod;
  Path work;

  @AfterEach
  void stop() {
    if (pod != null) {
      pod.close();
    }
    if (operatorPod != null) {
      operatorPod.close();
    }
    if (operator != null) {
      operator.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (api != null) {
      api.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  /** Renders the chart with these values, installs it into the API and starts the boot pod. */
  void install(String extraValues, boolean withInstaller) throws IOException {
    install(extraValues, withInstaller, false);
  }

  /**
   * @param operatorAsPod run the operator as the chart's operator Deployment renders it (a pod on
   *     the node's pod network) instead of in this JVM
   */
  void install(String extraValues, boolean withInstaller, boolean operatorAsPod)
      throws IOException {
    NetPrerequisites.require(
        "dnsmasq", "nginx", "curl", "busybox", "setpriv", "nsenter", "unshare", "findmnt");
    work =
        Path.of(
                "target",
                "netlab",
                "pod-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet())
            .toAbsolutePath();
    Path assets = work.resolve("assets");
    lab = NetLab.create(work, "10.11.0.1/22");
    if (withInstaller) {
      FakeInstaller.build(assets, work);
    }
    String uplink = lab.addUplink();
    api = EmbeddedApiServer.secure(uplink, 0).start();
    admin = client(api.adminToken());
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    // What kube-controller-manager publishes in every namespace.
    admin
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("kube-root-ca.crt")
                .endMetadata()
                .addToData("ca.crt", api.caCertificatePem())
                .build())
        .create();
    String values =
        "network: {interface: "
            + NetLab.BRIDGE
            + "}\n"
            + "bootAssets: {hostPath: "
            + assets
            + "}\n"
            + (extraValues == null ? "" : extraValues);
    List<HasMetadata> objects = HelmChart.render(values);
    for (HasMetadata object : objects) {
      admin.resource(object).create();
    }
    // The pre-install hooks: the generated Secrets, as helm install creates them first.
    for (HasMetadata hook : HelmChart.parse(HelmChart.templateWithHooks(values))) {
      if (hook instanceof Secret secret
          && hook.getMetadata().getAnnotations() != null
          && hook.getMetadata().getAnnotations().containsKey(HelmChart.HOOK_MARKER)) {
        secret.getMetadata().getAnnotations().remove(HelmChart.HOOK_MARKER);
        admin.resource(secret).create();
      }
    }
    OperatorSettings settings = HelmChart.settings(objects);
    KubeletStandIn kubelet;
    if (operatorAsPod) {
      NetLab.PodNetwork podNetwork = lab.addPodNetwork("operator");
      operatorAddress = podNetwork.address();
      kubelet = kubelet(uplink, operatorAddress);
      PodSpec operatorSpec =
          HelmChart.one(objects, Deployment.class, "pxe-operator")
              .getSpec()
              .getTemplate()
              .getSpec();
      operatorPod =
          kubelet.run(
              NS,
              "pxe-operator-0",
              operatorSpec,
              new KubeletStandIn.Node(
                  "rainbow-road", podNetwork.namespace(), podNetwork.address()));
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(1))
          .failFast(
              () -> assertThat(operatorPod.restarts("operator")).as(operatorPod.logs()).isZero())
          .untilAsserted(
              () ->
                  assertThat(operatorPod.failingProbes())
                      .as("denied: %s", api.deniedRequests())
                      .isEmpty());
    } else {
      operatorAddress = uplink;
      kubelet = kubelet(uplink, operatorAddress);
      operatorClient = client(api.serviceAccountToken(NS, "pxe-operator"));
      operator =
          new OperatorMain(operatorClient, settings, Clock.systemUTC())
              .withLeaderElection("only-replica", Duration.ofSeconds(10))
              .withHttpHost(uplink)
              .withHttpPort(settings.httpPort())
              .start();
    }
    PodSpec spec =
        HelmChart.one(objects, Deployment.class, "pxe-boot").getSpec().getTemplate().getSpec();
    pod =
        kubelet.run(
            NS,
            "pxe-boot-0",
            spec,
            new KubeletStandIn.Node("rainbow-road", lab.serverNamespace(), "10.11.0.1"));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .failFast(() -> assertThat(crashLooping()).as("a container crash-loops").isEmpty())
        .untilAsserted(() -> assertThat(pod.failingProbes()).isEmpty());
  }

  KubeletStandIn kubelet(String apiHost, String operatorAddress) throws IOException {
    return new KubeletStandIn(
        new KubeletStandIn.Cluster(
            api,
            admin,
            apiHost,
            api.port(),
            Map.of("pxe-operator." + NS + ".svc", operatorAddress)),
        KubeletStandIn.workDir(work.getFileName().toString()));
  }

  Optional<String> crashLooping() {
    for (String c : List.of("sync", "dnsmasq", "nginx")) {
      if (pod.restarts(c) > 2) {
        return Optional.of(c + ":\n" + pod.logs());
      }
    }
    return Optional.empty();
  }

  KubernetesClient client(String token) {
    Config config =
        new ConfigBuilder()
            .withMasterUrl(api.url())
            .withCaCertData(
                Base64.getEncoder()
                    .encodeToString(api.caCertificatePem().getBytes(StandardCharsets.UTF_8)))
            .withOauthToken(token)
            .withNamespace(NS)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  Optional<NodeInstall> nodeInstall(Mac mac) {
    return Optional.ofNullable(
        admin.resources(NodeInstall.class).inNamespace(NS).withName(mac.objectName()).get());
  }

  NodeInstallPhase phase(Mac mac) {
    return nodeInstall(mac).map(NodeInstall::getStatus).map(s -> s.getPhase()).orElse(null);
  }

  /** One scripted machine's whole install through the pod; returns the answer it received. */
  String installScripted(Mac mac, String address, String hostname) throws IOException {
    ScriptedMachine m = new ScriptedMachine(lab.addClient(mac), BOOT);
    assertThat(m.pxeDhcp()).as(pod.logs()).isPresent();
    await().atMost(Duration.ofSeconds(20)).until(() -> phase(mac) == NodeInstallPhase.Installing);
    assertThat(nodeInstall(mac).get().getStatus().getAddress()).isEqualTo(address);
    await().atMost(Duration.ofSeconds(10)).until(() -> m.fetchNodeScript().status() == 200);
    assertThat(m.ipxeTakesSlotAddress(m.fetchNodeScript().body(), 5)).contains(address);
    Optional<Map<String, String>> lease = m.installerDhcp();
    assertThat(lease).isPresent();
    assertThat(lease.get()).containsEntry("ip", address).containsEntry("hostname", hostname);
    HttpReply answer = m.fetchAnswer(BOOT + "/answer", work);
    assertThat(answer.status()).as(pod.logs()).isEqualTo(200);
    assertThat(answer.body()).contains(hostname + ".homelab.lan", address + "/22", mac.bareHex());
    HttpReply webhook = m.sendWebhook(answer.body(), hostname + ".homelab.lan", work);
    assertThat(webhook.status()).as(pod.logs()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> phase(mac) == NodeInstallPhase.Provisioned);
    await().atMost(Duration.ofSeconds(10)).until(() -> m.pxeDhcp().isEmpty());
    assertIgnoredByDhcp(m.client(), mac, address);
    return answer.body();
  }

  /** A QEMU machine's whole install through the pod, from power-on to power-off. */
  void installQemu(Mac mac, QemuMachine.Firmware firmware, String address) throws IOException {
    QemuMachine machine = QemuMachine.start(lab, "vm-" + mac.objectName(), mac, firmware, 6144);
    await()
        .atMost(Duration.ofSeconds(150))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> phase(mac) == NodeInstallPhase.Provisioned);
    await().atMost(Duration.ofSeconds(30)).until(() -> !machine.isRunning());
    assertThat(machine.serial())
        .contains("fake-installer: iso present", "fake-installer: DONE installed " + mac.value());
    NodeInstall ni = nodeInstall(mac).orElseThrow();
    assertThat(ni.getStatus().getAddress()).isEqualTo(address);
    assertThat(ni.getStatus().getBootScriptServedAt()).isNotNull();
    assertThat(ni.getStatus().getAnswerServedAt()).isNotNull();
    assertThat(ni.getStatus().getAnswerRequest().getMacMatches()).isTrue();
    assertIgnoredByDhcp(lab.addClient(mac), mac, address);
  }

  /** A provisioned machine boots from its disk: DHCP offers and acknowledges it nothing. */
  static void assertIgnoredByDhcp(Client client, Mac mac, String address) {
    assertThat(client.probe(mac, "discover", null, null, true).reply()).isNull();
    assertThat(client.probe(mac, "init-reboot", address, null, true).reply()).isNull();
  }

  @Test
  void shouldProvisionBiosUefiAndScriptedMachinesThroughTheBootPodAsTheChartRendersIt()
      throws IOException {
    NetPrerequisites.requireBootFiles();
    install(FIVE_SLOTS, true);

    String a1 = installScripted(Mac.parse("52:54:00:f6:00:01"), "10.11.0.2", "peach-beach");
    String a2 = installScripted(Mac.parse("52:54:00:f6:00:02"), "10.11.0.3", "moo-moo-meadows");
    installQemu(Mac.parse("52:54:00:f6:00:03"), QemuMachine.Firmware.BIOS, "10.11.0.4");
    installQemu(Mac.parse("52:54:00:f6:00:04"), QemuMachine.Firmware.UEFI, "10.11.0.5");
    String a5 = installScripted(Mac.parse("52:54:00:f6:00:05"), "10.11.0.6", "node-6");

    assertThat(List.of(a1, a2, a5)).doesNotHaveDuplicates();
    assertThat(admin.resources(NodeInstall.class).inNamespace(NS).list().getItems())
        .hasSize(5)
        .allMatch(ni -> ni.getStatus().getPhase() == NodeInstallPhase.Provisioned);
    assertPodRanAsRendered();
  }

  @Test
  void shouldServeAnswerAndWebhookOverHttpsPinnedByDhcpOnTheValuesPorts() throws IOException {
    install(
        """
        slots:
          - {address: 10.11.0.2, hostname: peach-beach}
          - {address: 10.11.0.3, hostname: moo-moo-meadows}
        tls: {enabled: true}
        nginx: {httpPort: 8180, httpsPort: 8543}
        """,
        false);
    String boot = "http://10.11.0.1:8180";

    for (var node :
        Map.of(
                Mac.parse("52:54:00:f7:00:01"), "peach-beach",
                Mac.parse("52:54:00:f7:00:02"), "moo-moo-meadows")
            .entrySet()
            .stream()
            .sorted(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
            .toList()) {
      Mac mac = node.getKey();
      ScriptedMachine m = new ScriptedMachine(lab.addClient(mac), boot);
      assertThat(m.pxeDhcp()).as(pod.logs()).isPresent();
      await().atMost(Duration.ofSeconds(20)).until(() -> phase(mac) == NodeInstallPhase.Installing);
      await().atMost(Duration.ofSeconds(10)).until(() -> m.fetchNodeScript().status() == 200);
      String address = nodeInstall(mac).orElseThrow().getStatus().getAddress();
      assertThat(m.ipxeTakesSlotAddress(m.fetchNodeScript().body(), 5)).contains(address);
      Map<String, String> lease = m.installerDhcp().orElseThrow();
      String answerUrl = dhcpText(lease.get("opt250"));
      String pin = dhcpText(lease.get("opt251"));
      assertThat(answerUrl).isEqualTo("https://10.11.0.1:8543/answer");
      assertThat(pin).isEqualTo(servedCertificateFingerprint());

      HttpReply answer = m.fetchAnswer(answerUrl, work, pin);
      assertThat(answer.status()).as(pod.logs()).isEqualTo(200);
      assertThat(ScriptedMachine.webhookUrl(answer.body()).orElseThrow())
          .startsWith("https://10.11.0.1:8543/");
      assertThat(answer.body()).contains("cert-fingerprint = \"" + pin + "\"");
      HttpReply webhook = m.sendWebhook(answer.body(), node.getValue() + ".homelab.lan", work, pin);
      assertThat(webhook.status()).as(pod.logs()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> phase(mac) == NodeInstallPhase.Provisioned);
    }
    assertPodRanAsRendered();
  }

  @Test
  void shouldRunTheOperatorPodAsRenderedAndServeEveryEndpointWithinItsRole() throws IOException {
    install(
        """
        slots:
          - {address: 10.11.0.2, hostname: peach-beach}
        """,
        false,
        true);

    installScripted(Mac.parse("52:54:00:f8:00:01"), "10.11.0.2", "peach-beach");

    String operatorUrl = "http://" + operatorAddress + ":8081";
    for (String path : List.of("/", "/status.js", "/healthz", "/readyz")) {
      assertThat(fromBootNode(operatorUrl + path)).as(path).startsWith("200 ");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(fromBootNode(operatorUrl + "/api/v1/status"))
                  .startsWith("200 ")
                  .contains("\"phase\":\"Provisioned\"");
              assertThat(fromBootNode(operatorUrl + "/metrics"))
                  .startsWith("200 ")
                  .contains("pxe_installs{phase=\"Provisioned\"} 1.0");
            });
    Map<String, String> process = operatorPod.processStatus("operator");
    assertThat(process.get("Uid")).startsWith("65532\t");
    assertThat(process.get("CapEff")).isEqualTo("0000000000000000");
    assertThat(operatorPod.ready()).as(operatorPod.logs()).isTrue();
    assertThat(operatorPod.restarts("operator")).isZero();
    assertThat(api.deniedRequests()).extracting(AccessDecision::toString).isEmpty();
    assertThat(api.accessLog())
        .anyMatch(d -> d.user().name().equals("system:serviceaccount:" + NS + ":pxe-operator"));
    assertPodRanAsRendered();
  }

  /** status code, a space and the body of a GET from the boot node (the server namespace). */
  String fromBootNode(String url) throws IOException {
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                lab.serverNamespace(),
                "curl",
                "-s",
                "-m",
                "5",
                "-w",
                "\n%{http_code}",
                url)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int nl = out.lastIndexOf('\n');
    return out.substring(nl + 1).trim() + " " + (nl < 0 ? "" : out.substring(0, nl));
  }

  /** A DHCP text option as udhcpc hands it to its script: hex of the bytes. */
  static String dhcpText(String hex) {
    assertThat(hex).as("option present").isNotNull();
    return new String(java.util.HexFormat.of().parseHex(hex), StandardCharsets.US_ASCII);
  }

  /** SHA-256 of the certificate in the pxe-tls Secret, as the installer writes fingerprints. */
  String servedCertificateFingerprint() {
    Secret tls = admin.secrets().inNamespace(NS).withName("pxe-tls").require();
    String pem =
        new String(
            Base64.getDecoder().decode(tls.getData().get("tls.crt")), StandardCharsets.US_ASCII);
    try {
      var cert =
          java.security.cert.CertificateFactory.getInstance("X.509")
              .generateCertificate(
                  new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** Users, capabilities and probes as the chart asks, no restart, no request outside the Role. */
  void assertPodRanAsRendered() throws IOException {
    assertThat(pod.ready()).as(pod.logs()).isTrue();
    assertThat(pod.restarts("sync")).as(pod.logs()).isZero();
    assertThat(pod.restarts("nginx")).as(pod.logs()).isZero();
    Map<String, String> nginx = pod.processStatus("nginx");
    assertThat(nginx.get("Uid")).startsWith("101\t");
    assertThat(nginx.get("Groups")).isEqualTo("101");
    assertThat(nginx.get("CapEff")).isEqualTo("0000000000000000");
    assertThat(nginx.get("NoNewPrivs")).isEqualTo("1");
    Map<String, String> dnsmasq = pod.processStatus("dnsmasq");
    assertThat(dnsmasq.get("Uid")).startsWith("0\t");
    // NET_ADMIN (12), NET_BIND_SERVICE (10), SETGID (6) and nothing else.
    assertThat(Long.parseLong(dnsmasq.get("CapBnd"), 16))
        .isEqualTo((1L << 12) | (1L << 10) | (1L << 6));
    assertThat(Long.parseLong(pod.processStatus("sync").get("CapEff"), 16)).isEqualTo(1L << 5);
    assertThat(api.deniedRequests())
        .filteredOn(d -> d.user().name().equals(BOOT_USER))
        .extracting(AccessDecision::toString)
        .isEmpty();
    assertThat(api.accessLog()).anyMatch(d -> d.user().name().equals(BOOT_USER));
  }
}
