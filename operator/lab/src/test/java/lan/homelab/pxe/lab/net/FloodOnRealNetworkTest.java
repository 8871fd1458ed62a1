package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.lab.net.Client.FloodReport;
import lan.homelab.pxe.lab.net.Client.HttpReply;
import lan.homelab.pxe.render.DnsmasqConfRenderer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flood of forged PXE clients from a LAN-side namespace against real dnsmasq (its real lease hook
 * into the operator), in {@code claimPolicy: approval}: every forged MAC completes the whole DHCP
 * exchange (the hook fires on the ACK). It leaves at most maxUnclaimedInstalls NodeInstalls; one
 * pool lease time after it stops (dnsmasq's leases pass in real time, the operator's clock is
 * moved) a real PXE client is discovered, approved and provisions.
 */
class FloodOnRealNetworkTest {
  static final String BOOT = ProvisioningOnRealNetworkTest.BOOT;
  static final int FORGED = 1_000;
  static final int BOUND = 32;

  NetworkedOperator net;
  Path work;
  final ProvisioningOnRealNetworkTest.MovableClock clock =
      new ProvisioningOnRealNetworkTest.MovableClock();

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  private List<NodeInstall> installs() {
    KubernetesClient api = net.client();
    return api.resources(NodeInstall.class)
        .inNamespace(net.settings().namespace())
        .list()
        .getItems();
  }

  private void annotate(String name, String key, String value) {
    net.client()
        .resources(NodeInstall.class)
        .inNamespace(net.settings().namespace())
        .withName(name)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  /** The sum of the samples whose line starts with {@code line} (a name, or a name and labels). */
  private double metric(String line) {
    return net.operator()
        .metrics()
        .scrape()
        .lines()
        .filter(l -> l.startsWith(line) && " {,}".indexOf(l.charAt(line.length())) >= 0)
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void shouldLeaveAtMostTheBoundAfterAThousandForgedPxeMacsAndThenProvisionARealMachine()
      throws Exception {
    NetPrerequisites.require("dnsmasq", "nginx", "curl", "busybox", "cpio");
    NetPrerequisites.requireBootFiles();
    work =
        Path.of(
                "target",
                "netlab",
                "flood-" + ProcessHandle.current().pid() + "-" + System.nanoTime())
            .toAbsolutePath();
    net =
        new NetworkedOperator(
            work,
            Map.of(
                "denyList", "bc:24:11",
                "claimPolicy", "approval",
                "maxUnclaimedInstalls", String.valueOf(BOUND)),
            clock);
    net.createSlot("peach-beach", "10.11.0.2", "peach-beach", 1);
    Client attacker = net.lab().addClient(Mac.parse("02:f1:ff:ff:ff:01"));

    AtomicInteger mostSeen = new AtomicInteger();
    // Samples the installs every 100 ms while the flood runs (a measurement, not a wait).
    java.util.concurrent.ScheduledExecutorService sampler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> {
          try {
            mostSeen.accumulateAndGet(installs().size(), Math::max);
          } catch (RuntimeException e) {
            // the API is being torn down
          }
        },
        0,
        100,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    long floodStart = System.nanoTime();
    FloodReport flood = attacker.flood(FORGED, 40, "02:f1");
    long floodEnd = System.nanoTime();

    assertThat(flood.discovers()).isEqualTo(FORGED);
    assertThat(flood.seconds()).isLessThan(60);
    assertThat(flood.acks())
        .as("the pool's addresses all went to forged clients, more than the bound")
        .isGreaterThan(BOUND);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                metric("pxe_dhcp_events_total{outcome=\"registered\"")
                        + metric("pxe_discoveries_over_bound_total")
                    >= flood.acks());
    sampler.shutdownNow();
    assertThat(sampler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    mostSeen.accumulateAndGet(installs().size(), Math::max);
    assertThat(mostSeen.get()).isLessThanOrEqualTo(BOUND);
    assertThat(installs()).hasSize(BOUND).allMatch(ni -> ni.getSpec().getSlot() == null);
    assertThat(metric("pxe_discoveries_over_bound_total")).isGreaterThanOrEqualTo(1);

    clock.advance(DnsmasqConfRenderer.POOL_LEASE.plusSeconds(1));
    for (NodeInstall ni : installs()) {
      annotate(ni.getMetadata().getName(), "test.pxe.homelab.lan/wake", "after-lease");
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> installs().isEmpty());
    long expired = System.nanoTime();

    Mac real = Mac.parse("52:54:00:f1:00:01");
    ScriptedMachine machine = new ScriptedMachine(net.lab().addClient(real), BOOT);
    await()
        .atMost(DnsmasqConfRenderer.POOL_LEASE.plusSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> machine.pxeDhcp().isPresent());
    long leased = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> net.phase(real) == NodeInstallPhase.AwaitingApproval);
    annotate(real.objectName(), ApiConstants.ANNOTATION_APPROVED, "true");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> net.phase(real) == NodeInstallPhase.Installing);
    await().atMost(Duration.ofSeconds(5)).until(() -> machine.fetchNodeScript().status() == 200);
    assertThat(machine.ipxeTakesSlotAddress(machine.fetchNodeScript().body(), 5))
        .contains("10.11.0.2");
    Optional<Map<String, String>> lease = machine.installerDhcp();
    assertThat(lease).isPresent();
    assertThat(lease.get()).containsEntry("ip", "10.11.0.2");
    HttpReply answer = machine.fetchAnswer(BOOT + "/answer", work);
    assertThat(answer.status()).isEqualTo(200);
    HttpReply webhook = machine.sendWebhook(answer.body(), "peach-beach.homelab.lan", work);
    assertThat(webhook.status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> net.phase(real) == NodeInstallPhase.Provisioned);
    long provisioned = System.nanoTime();

    String figures =
        String.format(
            "flood: %d forged PXE MACs in %.1f s (%d offers, %d ACKs, %d NAKs); at most %d"
                + " NodeInstalls seen (bound %d), %.0f discoveries over the bound; expired %.1f s"
                + " after the flood (clock moved %d s); a real PXE client got a pool lease %.1f s"
                + " after the flood and was Provisioned %.1f s after it%n",
            flood.discovers(),
            flood.seconds(),
            flood.offers(),
            flood.acks(),
            flood.naks(),
            mostSeen.get(),
            BOUND,
            metric("pxe_discoveries_over_bound_total"),
            (expired - floodEnd) / 1e9,
            DnsmasqConfRenderer.POOL_LEASE.plusSeconds(1).toSeconds(),
            (leased - floodEnd) / 1e9,
            (provisioned - floodEnd) / 1e9);
    Files.writeString(work.resolve("flood.txt"), figures);
    System.out.print(figures);
    assertThat((leased - floodStart) / 1e9)
        .as("a real client is served within one pool lease time after the flood (plus its length)")
        .isLessThan(flood.seconds() + DnsmasqConfRenderer.POOL_LEASE.toSeconds() + 30);
  }
}
