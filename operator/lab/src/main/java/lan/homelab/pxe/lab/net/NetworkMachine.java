package lan.homelab.pxe.lab.net;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.net.Client.HttpReply;
import lan.homelab.pxe.lab.sim.MachineFleet;

/**
 * A lab machine on the real network: a {@link ScriptedMachine} in its own namespace on the lab
 * bridge walks PXE DHCP, claim, boot script, slot address, installer DHCP, answer POST and webhook
 * through real dnsmasq and nginx, then checks that its next PXE DHCP is ignored; every wait ends at
 * the deadline with the reason.
 */
public final class NetworkMachine implements MachineFleet.Machine {
  private static final long POLL_MILLIS = 250;

  private final NetworkedOperator net;
  private final Mac mac;
  private final Clock clock;
  private final Consumer<String> log;

  public NetworkMachine(NetworkedOperator net, Mac mac, Clock clock, Consumer<String> log) {
    this.net = net;
    this.mac = mac;
    this.clock = clock;
    this.log = log;
  }

  @Override
  public String name() {
    return mac.objectName();
  }

  @Override
  public void run(Instant deadline) throws IOException, InterruptedException {
    OperatorSettings settings = net.settings();
    String boot = settings.bootHttpUrl();
    Path scratch = net.lab().workDir();
    ScriptedMachine m = new ScriptedMachine(net.lab().addClient(mac), boot);
    Optional<Map<String, String>> first = m.pxeDhcp();
    if (first.isEmpty()) {
      throw new IOException("no DHCP offer for the PXE ROM");
    }
    log("PXE ROM got pool address " + first.get().get("ip") + " from dnsmasq");
    await("its slot claim (Installing)", deadline, () -> phase() == NodeInstallPhase.Installing);
    await("its boot script from nginx", deadline, () -> m.fetchNodeScript().status() == 200);
    String address =
        m.ipxeTakesSlotAddress(m.fetchNodeScript().body(), 5)
            .orElseThrow(() -> new IOException("iPXE never got its slot address"));
    log("iPXE got its slot address " + address + " and its boot script");
    Optional<Map<String, String>> lease = m.installerDhcp();
    if (lease.isEmpty() || !address.equals(lease.get().get("ip"))) {
      throw new IOException("the installer's DHCP did not give " + address + ": " + lease);
    }
    HttpReply answer = m.fetchAnswer(boot + "/answer", scratch);
    if (answer.status() != 200) {
      throw new IOException("answer POST got HTTP " + answer.status() + ": " + answer.body());
    }
    log("the installer fetched its answer");
    NodeInstall node = node();
    String hostname =
        node == null || node.getStatus() == null ? null : node.getStatus().getHostname();
    String fqdn = hostname == null ? "" : hostname + "." + settings.domain();
    HttpReply webhook = m.sendWebhook(answer.body(), fqdn, scratch);
    if (webhook.status() != 200) {
      throw new IOException("webhook got HTTP " + webhook.status() + ": " + webhook.body());
    }
    await("Provisioned", deadline, () -> phase() == NodeInstallPhase.Provisioned);
    await("dnsmasq to ignore its next PXE DHCP", deadline, () -> m.pxeDhcp().isEmpty());
    log("provisioned as " + fqdn + "; dnsmasq now ignores it");
  }

  private NodeInstall node() {
    KubernetesClient client = net.client();
    return client
        .resources(NodeInstall.class)
        .inNamespace(net.settings().namespace())
        .withName(mac.objectName())
        .get();
  }

  private NodeInstallPhase phase() {
    NodeInstall node = node();
    return node == null || node.getStatus() == null ? null : node.getStatus().getPhase();
  }

  private void await(String what, Instant deadline, BooleanSupplier condition)
      throws IOException, InterruptedException {
    while (!condition.getAsBoolean()) {
      if (!clock.instant().isBefore(deadline)) {
        throw new IOException("gave up waiting for " + what);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private void log(String line) {
    log.accept(name() + ": " + line);
  }
}
