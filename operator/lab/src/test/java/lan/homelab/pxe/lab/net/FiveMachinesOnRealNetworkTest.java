package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * The seed's success criteria on the lab LAN: five machines arrive one after another and become
 * peach-beach (10.11.0.2), moo-moo-meadows (.3), then .4, .5, .6, each with its own answer, each
 * Provisioned by its own webhook and ignored by DHCP afterwards, with no manual step. The third is
 * a QEMU machine (SeaBIOS + iPXE ROM) booting the installer stand-in; the others are played by real
 * DHCP/HTTP clients.
 */
class FiveMachinesOnRealNetworkTest {
  static final String BOOT = "http://10.11.0.1:8080";

  NetworkedOperator net;
  Path work;

  @BeforeEach
  void start() throws IOException {
    NetPrerequisites.require("dnsmasq", "nginx", "curl", "busybox", "cpio", "qemu-system-x86_64");
    NetPrerequisites.requireBootFiles();
    work = Path.of("target", "netlab", "five-" + ProcessHandle.current().pid()).toAbsolutePath();
    net = new NetworkedOperator(work, Map.of());
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

  /** One scripted machine's whole install; returns the answer it received. */
  String installScripted(Mac mac, String address, String hostname) throws IOException {
    ScriptedMachine m = new ScriptedMachine(net.lab().addClient(mac), BOOT);
    assertThat(m.pxeDhcp()).isPresent();
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(mac) == NodeInstallPhase.Installing);
    assertThat(install(mac).get().getStatus().getAddress()).isEqualTo(address);
    await().atMost(Duration.ofSeconds(5)).until(() -> m.fetchNodeScript().status() == 200);
    assertThat(m.ipxeTakesSlotAddress(m.fetchNodeScript().body(), 5)).contains(address);
    Optional<Map<String, String>> lease = m.installerDhcp();
    assertThat(lease).isPresent();
    assertThat(lease.get()).containsEntry("ip", address).containsEntry("hostname", hostname);
    HttpReply answer = m.fetchAnswer(BOOT + "/answer", work);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body())
        .contains(hostname + ".homelab.lan")
        .contains(address + "/22")
        .contains(mac.bareHex());
    HttpReply webhook = m.sendWebhook(answer.body(), hostname + ".homelab.lan", work);
    assertThat(webhook.status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> phase(mac) == NodeInstallPhase.Provisioned);
    await().atMost(Duration.ofSeconds(5)).until(() -> m.pxeDhcp().isEmpty());
    assertThat(m.client().probe(mac, "discover", null, null, true).reply()).isNull();
    assertThat(m.client().probe(mac, "init-reboot", address, null, true).reply()).isNull();
    return answer.body();
  }

  @Test
  void shouldProvisionFiveMachinesOneAfterAnotherIntoTheQueueInOrder() throws IOException {
    slot("peach-beach", "10.11.0.2", "peach-beach", 1);
    slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows", 2);
    slot("slot-4", "10.11.0.4", "node-4", 3);
    slot("slot-5", "10.11.0.5", "node-5", 4);
    slot("slot-6", "10.11.0.6", "node-6", 5);

    String a1 = installScripted(Mac.parse("52:54:00:f5:00:01"), "10.11.0.2", "peach-beach");
    String a2 = installScripted(Mac.parse("52:54:00:f5:00:02"), "10.11.0.3", "moo-moo-meadows");

    installQemu(Mac.parse("52:54:00:f5:00:03"), QemuMachine.Firmware.BIOS, "10.11.0.4");
    installQemu(Mac.parse("52:54:00:f5:00:04"), QemuMachine.Firmware.UEFI, "10.11.0.5");
    String a5 = installScripted(Mac.parse("52:54:00:f5:00:05"), "10.11.0.6", "node-6");

    assertThat(List.of(a1, a2, a5)).doesNotHaveDuplicates();
    assertThat(
            api()
                .resources(NodeInstall.class)
                .inNamespace(net.settings().namespace())
                .list()
                .getItems())
        .hasSize(5)
        .allMatch(ni -> ni.getStatus().getPhase() == NodeInstallPhase.Provisioned);
  }

  /** A QEMU machine's whole install, from power-on to power-off, then ignored by DHCP. */
  void installQemu(Mac mac, QemuMachine.Firmware firmware, String address) throws IOException {
    QemuMachine machine =
        QemuMachine.start(net.lab(), "vm-" + mac.objectName(), mac, firmware, 6144);
    await()
        .atMost(Duration.ofSeconds(150))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> phase(mac) == NodeInstallPhase.Provisioned);
    await().atMost(Duration.ofSeconds(30)).until(() -> !machine.isRunning());
    assertThat(machine.serial())
        .contains("fake-installer: iso present", "fake-installer: DONE installed " + mac.value());
    NodeInstall ni = install(mac).orElseThrow();
    assertThat(ni.getStatus().getAddress()).isEqualTo(address);
    assertThat(ni.getStatus().getBootScriptServedAt()).isNotNull();
    assertThat(ni.getStatus().getAnswerServedAt()).isNotNull();
    assertThat(ni.getStatus().getAnswerRequest().getMacMatches()).isTrue();
    Client probe = net.lab().addClient(mac);
    assertThat(probe.probe(mac, "discover", null, null, true).reply()).isNull();
    assertThat(probe.probe(mac, "init-reboot", address, null, true).reply()).isNull();
  }
}
