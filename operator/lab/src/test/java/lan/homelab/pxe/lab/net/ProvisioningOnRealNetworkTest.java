package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.lab.net.Client.HttpReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end on a lab LAN: the operator in-process on the mock API, the boot pod's sync, dnsmasq
 * and nginx in a network namespace, machines played by real DHCP/HTTP clients.
 */
class ProvisioningOnRealNetworkTest {
  static final String BOOT = "http://10.11.0.1:8080";

  NetworkedOperator net;
  Path work;
  final MovableClock clock = new MovableClock();

  /** Real time plus an offset the test moves forward (past the install timeout). */
  static final class MovableClock extends java.time.Clock {
    private final java.util.concurrent.atomic.AtomicReference<Duration> offset =
        new java.util.concurrent.atomic.AtomicReference<>(Duration.ZERO);

    void advance(Duration by) {
      offset.updateAndGet(o -> o.plus(by));
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException("tests use UTC");
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.now().plus(offset.get());
    }
  }

  @BeforeEach
  void start() throws IOException {
    start(Map.of());
  }

  /** (Re)starts the whole lab with these settings on top of the test defaults. */
  void start(Map<String, String> overrides) throws IOException {
    NetPrerequisites.require("dnsmasq", "nginx", "curl", "busybox", "cpio");
    NetPrerequisites.requireBootFiles();
    if (net != null) {
      net.close();
    }
    work =
        Path.of(
                "target",
                "netlab",
                "e2e-" + ProcessHandle.current().pid() + "-" + System.nanoTime())
            .toAbsolutePath();
    Map<String, Object> all = new java.util.HashMap<>(Map.of("denyList", "bc:24:11,52:54:00:dd"));
    all.putAll(overrides);
    net = new NetworkedOperator(work, all, clock);
  }

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  KubernetesClient api() {
    return net.client();
  }

  void slot(String name, String address, String hostname, int order) {
    net.createSlot(name, address, hostname, order);
  }

  Optional<NodeInstall> install(Mac mac) {
    return net.install(mac);
  }

  NodeInstallPhase phase(Mac mac) {
    return net.phase(mac);
  }

  @Test
  void shouldClaimTheFirstSlotForAPxeNewcomerAndServeItsScriptOnTheSlotAddress()
      throws IOException {
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows", 2);
    Mac mac = Mac.parse("52:54:00:e2:00:01");
    ScriptedMachine machine = new ScriptedMachine(net.lab().addClient(mac), BOOT);

    assertThat(machine.pxeDhcp()).isPresent();
    long leased = System.nanoTime();
    assertThat(net.settings().inDiscoveryPool(lan.homelab.pxe.config.Ipv4.parse(machine.address())))
        .isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> phase(mac) == NodeInstallPhase.Installing);
    long claimed = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(1))
        .until(
            () ->
                machine
                    .client()
                    .udhcpc(Client.DhcpIdentity.IPXE)
                    .map(l -> "10.11.0.2".equals(l.get("ip")))
                    .orElse(false));
    long inForce = System.nanoTime();
    String timing =
        "pool lease -> Installing "
            + (claimed - leased) / 1_000_000
            + " ms, -> DHCP answers with the slot address "
            + (inForce - leased) / 1_000_000
            + " ms\n";
    java.nio.file.Files.writeString(work.resolve("claim-timing.txt"), timing);
    System.out.print("end-to-end claim: " + timing);
    assertThat(install(mac).get().getStatus().getAddress()).isEqualTo("10.11.0.2");

    await().atMost(Duration.ofSeconds(5)).until(() -> machine.fetchNodeScript().status() == 200);
    HttpReply script = machine.fetchNodeScript();
    assertThat(script.body()).contains("peach-beach", "proxmox-start-auto-installer");
    assertThat(machine.ipxeTakesSlotAddress(script.body(), 5)).contains("10.11.0.2");
    Optional<Map<String, String>> installer = machine.installerDhcp();
    assertThat(installer).isPresent();
    assertThat(installer.get())
        .containsEntry("ip", "10.11.0.2")
        .containsEntry("hostname", "peach-beach");
    assertThat(DhcpOnRealDnsmasqTest.hexText(installer.get().get("opt250")))
        .isEqualTo(BOOT + "/answer");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> install(mac).get().getStatus().getBootScriptServedAt() != null);
  }

  @Test
  void shouldNeverClaimForAPlainClientOrADenyListedPxeMachine() {
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    Mac laptop = Mac.parse("52:54:00:e2:00:10");
    Mac denied = Mac.parse("52:54:00:dd:00:11");
    Client laptopClient = net.lab().addClient(laptop);
    ScriptedMachine deniedMachine = new ScriptedMachine(net.lab().addClient(denied), BOOT);

    assertThat(laptopClient.udhcpc(Client.DhcpIdentity.PLAIN)).isEmpty();
    assertThat(deniedMachine.pxeDhcp()).isPresent();
    Mac witness = Mac.parse("52:54:00:e2:00:12");
    new ScriptedMachine(net.lab().addClient(witness), BOOT).pxeDhcp();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> phase(witness) == NodeInstallPhase.Installing);

    assertThat(install(laptop)).isEmpty();
    assertThat(phase(denied)).isNotEqualTo(NodeInstallPhase.Installing);
    assertThat(deniedMachine.fetchNodeScript().status()).isEqualTo(404);
  }

  @Test
  void shouldGiveTwoMachinesBootingAtOnceDifferentSlotsAndBothTheirReservations() throws Exception {
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows", 2);
    Mac a = Mac.parse("52:54:00:e2:00:21");
    Mac b = Mac.parse("52:54:00:e2:00:22");
    ScriptedMachine ma = new ScriptedMachine(net.lab().addClient(a), BOOT);
    ScriptedMachine mb = new ScriptedMachine(net.lab().addClient(b), BOOT);

    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var fa = pool.submit(ma::pxeDhcp);
      var fb = pool.submit(mb::pxeDhcp);
      assertThat(fa.get()).isPresent();
      assertThat(fb.get()).isPresent();
    } finally {
      pool.shutdownNow();
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                phase(a) == NodeInstallPhase.Installing && phase(b) == NodeInstallPhase.Installing);
    String addressA = install(a).get().getStatus().getAddress();
    String addressB = install(b).get().getStatus().getAddress();
    assertThat(java.util.List.of(addressA, addressB))
        .containsExactlyInAnyOrder("10.11.0.2", "10.11.0.3");
    for (ScriptedMachine m : java.util.List.of(ma, mb)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> m.fetchNodeScript().status() == 200);
      assertThat(m.ipxeTakesSlotAddress(m.fetchNodeScript().body(), 5)).isPresent();
    }
    assertThat(ma.address()).isEqualTo(addressA);
    assertThat(mb.address()).isEqualTo(addressB);
  }

  @Test
  void shouldLetAMachineWaitWithoutInstallerUntilANewSlotIsApplied() {
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    Mac first = Mac.parse("52:54:00:e2:00:31");
    Mac sixth = Mac.parse("52:54:00:e2:00:36");
    new ScriptedMachine(net.lab().addClient(first), BOOT).pxeDhcp();
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(first) == NodeInstallPhase.Installing);
    ScriptedMachine waiting = new ScriptedMachine(net.lab().addClient(sixth), BOOT);

    assertThat(waiting.pxeDhcp()).isPresent();
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(sixth) == NodeInstallPhase.Waiting);
    assertThat(waiting.fetchNodeScript().status()).isEqualTo(404);
    Optional<Map<String, String>> renewed = waiting.client().udhcpc(Client.DhcpIdentity.IPXE);
    assertThat(renewed).isPresent();
    assertThat(
            net.settings()
                .inDiscoveryPool(lan.homelab.pxe.config.Ipv4.parse(renewed.get().get("ip"))))
        .isTrue();
    assertThat(waiting.client().udhcpc(Client.DhcpIdentity.PLAIN)).isEmpty();

    slot("slot-new", "10.11.0.7", "new-node", 7);

    await().atMost(Duration.ofSeconds(10)).until(() -> phase(sixth) == NodeInstallPhase.Installing);
    await().atMost(Duration.ofSeconds(5)).until(() -> waiting.fetchNodeScript().status() == 200);
    assertThat(waiting.ipxeTakesSlotAddress(waiting.fetchNodeScript().body(), 5))
        .contains("10.11.0.7");
  }

  @Test
  void shouldFailASilentInstallAfterTheTimeoutIgnoreItAndLetARetryBootItAgain() throws IOException {
    start(Map.of("installTimeout", "1m"));
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    Mac mac = Mac.parse("52:54:00:e2:00:51");
    ScriptedMachine machine = new ScriptedMachine(net.lab().addClient(mac), BOOT);
    machine.pxeDhcp();
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(mac) == NodeInstallPhase.Installing);

    clock.advance(Duration.ofMinutes(2));
    annotate(mac, "test.pxe.homelab.lan/wake", "after-the-timeout");
    await().atMost(Duration.ofSeconds(30)).until(() -> phase(mac) == NodeInstallPhase.Failed);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> machine.client().udhcpc(Client.DhcpIdentity.IPXE).isEmpty());
    assertThat(machine.client().probe(mac, "discover", null, null, true).reply()).isNull();
    assertThat(machine.client().probe(mac, "init-reboot", "10.11.0.2", null, true).reply())
        .isNull();
    assertThat(machine.fetchNodeScript().status()).isEqualTo(404);

    annotate(mac, lan.homelab.pxe.api.v1alpha1.ApiConstants.ANNOTATION_RETRY, "now");

    await().atMost(Duration.ofSeconds(10)).until(() -> phase(mac) == NodeInstallPhase.Installing);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                machine
                    .client()
                    .udhcpc(Client.DhcpIdentity.IPXE)
                    .map(l -> l.get("ip"))
                    .orElse("")
                    .equals("10.11.0.2"));
  }

  @Test
  void shouldRefuseAForgedWebhookAndAForeignAnswerRequestWithoutChangingState() throws IOException {
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    Mac mac = Mac.parse("52:54:00:e2:00:71");
    ScriptedMachine machine = new ScriptedMachine(net.lab().addClient(mac), BOOT);
    machine.pxeDhcp();
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(mac) == NodeInstallPhase.Installing);
    ScriptedMachine stranger =
        new ScriptedMachine(net.lab().addClient(Mac.parse("52:54:00:e2:00:72")), BOOT);
    stranger.client().configureAddress("10.11.0.77/22");
    HttpReply forged =
        stranger.sendWebhook(
            "[post-installation-webhook]\nurl = \""
                + BOOT
                + "/v1/webhook/"
                + mac.objectName()
                + "/forged-token-0123456789\"\n",
            "evil.homelab.lan",
            work);
    HttpReply foreignAnswer = stranger.fetchAnswer(BOOT + "/answer", work);

    assertThat(forged.status()).isIn(403, 404);
    assertThat(foreignAnswer.status()).isEqualTo(404);
    assertThat(phase(mac)).isEqualTo(NodeInstallPhase.Installing);
    assertThat(install(mac).get().getStatus().getWebhookReceivedAt()).isNull();
    assertThat(install(mac).get().getStatus().getAnswerServedAt()).isNull();
  }

  /** Annotates like {@code kubectl annotate}: a merge patch without resourceVersion. */
  void annotate(Mac mac, String key, String value) {
    api()
        .resources(NodeInstall.class)
        .inNamespace(net.settings().namespace())
        .withName(mac.objectName())
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  String slotAddressOf(ScriptedMachine machine) {
    return machine.client().udhcpc(Client.DhcpIdentity.IPXE).map(l -> l.get("ip")).orElse("none");
  }

  /**
   * Deleting a Provisioned NodeInstall lets the machine install again into the slot kept for it.
   */
  @Test
  void shouldInstallAProvisionedMachineAgainAfterItsNodeInstallIsDeleted() throws IOException {
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows", 2);
    Mac mac = Mac.parse("52:54:00:e2:00:61");
    ScriptedMachine machine = new ScriptedMachine(net.lab().addClient(mac), BOOT);
    machine.pxeDhcp();
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(mac) == NodeInstallPhase.Installing);
    await().atMost(Duration.ofSeconds(5)).until(() -> machine.fetchNodeScript().status() == 200);
    machine.ipxeTakesSlotAddress(machine.fetchNodeScript().body(), 5);
    assertThat(machine.installerDhcp()).isPresent();
    HttpReply answer = machine.fetchAnswer(BOOT + "/answer", work);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(machine.sendWebhook(answer.body(), "peach-beach.homelab.lan", work).status())
        .isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(mac) == NodeInstallPhase.Provisioned);
    await().atMost(Duration.ofSeconds(5)).until(() -> machine.pxeDhcp().isEmpty());

    api()
        .resources(NodeInstall.class)
        .inNamespace(net.settings().namespace())
        .withName(mac.objectName())
        .delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> install(mac).isEmpty());

    await().atMost(Duration.ofSeconds(10)).until(() -> machine.pxeDhcp().isPresent());
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(mac) == NodeInstallPhase.Installing);
    assertThat(install(mac).get().getStatus().getAddress()).isEqualTo("10.11.0.2");
    await().atMost(Duration.ofSeconds(5)).until(() -> slotAddressOf(machine).equals("10.11.0.2"));
  }

  @Test
  void shouldKeepDnsmasqRunningAndRightWhileClaimsAndFinishesReloadItUnderTraffic()
      throws Exception {
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows", 2);
    slot("slot-4", "10.11.0.4", "slot-4", 4);
    Mac steady = Mac.parse("52:54:00:e2:00:81");
    ScriptedMachine steadyMachine = new ScriptedMachine(net.lab().addClient(steady), BOOT);
    steadyMachine.pxeDhcp();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> phase(steady) == NodeInstallPhase.Installing);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> slotAddressOf(steadyMachine).equals("10.11.0.2"));
    int starts = net.stack().dnsmasq().starts();
    java.util.List<String> steadyAnswers =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean talking =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread chatter =
        new Thread(
            () -> {
              for (int i = 0; i < 300 && talking.get(); i++) {
                steadyAnswers.add(slotAddressOf(steadyMachine));
              }
            });
    chatter.start();
    try {
      Mac finishing = Mac.parse("52:54:00:e2:00:82");
      Mac newcomer = Mac.parse("52:54:00:e2:00:83");
      ScriptedMachine finishingMachine = new ScriptedMachine(net.lab().addClient(finishing), BOOT);
      finishingMachine.pxeDhcp();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> phase(finishing) == NodeInstallPhase.Installing);
      annotate(
          finishing, lan.homelab.pxe.api.v1alpha1.ApiConstants.ANNOTATION_MARK_PROVISIONED, "true");
      ScriptedMachine newcomerMachine = new ScriptedMachine(net.lab().addClient(newcomer), BOOT);
      newcomerMachine.pxeDhcp();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  phase(finishing) == NodeInstallPhase.Provisioned
                      && phase(newcomer) == NodeInstallPhase.Installing);
      await().atMost(Duration.ofSeconds(5)).until(() -> finishingMachine.pxeDhcp().isEmpty());
      String newcomerAddress = install(newcomer).get().getStatus().getAddress();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> slotAddressOf(newcomerMachine).equals(newcomerAddress));
      int seen = steadyAnswers.size();
      await().atMost(Duration.ofSeconds(10)).until(() -> steadyAnswers.size() > seen + 2);
    } finally {
      talking.set(false);
      chatter.join(30_000);
    }

    assertThat(net.stack().dnsmasq().isAlive()).isTrue();
    assertThat(net.stack().dnsmasq().starts()).isEqualTo(starts);
    assertThat(steadyAnswers).isNotEmpty().allMatch("10.11.0.2"::equals);
  }
}
