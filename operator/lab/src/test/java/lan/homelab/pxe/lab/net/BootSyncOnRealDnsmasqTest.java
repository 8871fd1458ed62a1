package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.net.Client.DhcpIdentity;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.render.DnsmasqConf;
import lan.homelab.pxe.render.DnsmasqConfRenderer;
import lan.homelab.pxe.render.DnsmasqHostEntry;
import lan.homelab.pxe.render.DnsmasqHostsRenderer;
import lan.homelab.pxe.sync.BootSignals;
import lan.homelab.pxe.sync.BootSync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sync process between the API (fabric8 mock server) and a real dnsmasq: a reservation written
 * to the hosts ConfigMap is in force (DHCP answers with it) within 1 s; removals SIGHUP dnsmasq; a
 * static configuration change restarts it.
 */
class BootSyncOnRealDnsmasqTest {
  static final String NS = "pxe-system";
  static final Mac MACHINE = Mac.parse("52:54:00:00:02:01");

  KubernetesMockServer server;
  KubernetesClient client;
  NetLab lab;
  BootStack stack;
  BootSync sync;
  OperatorSettings settings = OperatorSettings.defaults().with(Map.of("interface", NetLab.BRIDGE));

  @BeforeEach
  void start() throws IOException {
    NetPrerequisites.require("dnsmasq", "busybox");
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    client = server.createClient();
    Path work =
        Path.of("target", "netlab", "sync-" + ProcessHandle.current().pid()).toAbsolutePath();
    lab = NetLab.create(work, "10.11.0.1/22");
    BootDir dir = new BootDir(work.resolve("boot"));
    stack = new BootStack(lab, dir);
    sync = new BootSync(client, NS, dir, new BootSignals(dir)).start();
    apply(Names.CONFIGMAP_DNSMASQ, Names.KEY_DNSMASQ_CONF, staticConf(settings));
    apply(Names.CONFIGMAP_DNSMASQ_HOSTS, Names.KEY_HOSTS, DnsmasqHostsRenderer.render(List.of()));
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(dir.dnsmasqConf()));
    stack.startDnsmasq();
    await().atMost(Duration.ofSeconds(5)).until(() -> Files.isRegularFile(dir.dnsmasqPidFile()));
  }

  @AfterEach
  void stop() {
    if (sync != null) {
      sync.close();
    }
    if (lab != null) {
      lab.close();
    }
    if (server != null) {
      server.destroy();
    }
  }

  static String staticConf(OperatorSettings settings) {
    return DnsmasqConfRenderer.render(DnsmasqConf.of(settings, null));
  }

  void apply(String name, String key, String value) {
    ConfigMap cm =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .addToLabels(
                lan.homelab.pxe.api.v1alpha1.ApiConstants.LABEL_MANAGED_BY,
                lan.homelab.pxe.api.v1alpha1.ApiConstants.MANAGED_BY_VALUE)
            .endMetadata()
            .addToData(key, value)
            .build();
    client.configMaps().inNamespace(NS).resource(cm).createOr(c -> c.update());
  }

  @Test
  void shouldPutReservationInForceWithinOneSecondOfTheConfigMapWrite() throws IOException {
    Client machine = lab.addClient(MACHINE);
    Optional<Map<String, String>> before = machine.udhcpc(DhcpIdentity.IPXE);
    assertThat(before).isPresent();
    assertThat(settings.inDiscoveryPool(Ipv4.parse(before.get().get("ip")))).isTrue();

    long t0 = System.nanoTime();
    apply(
        Names.CONFIGMAP_DNSMASQ_HOSTS,
        Names.KEY_HOSTS,
        DnsmasqHostsRenderer.render(
            List.of(
                DnsmasqHostEntry.reservation(MACHINE, Ipv4.parse("10.11.0.2"), "peach-beach"))));
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> Files.readString(stack.dir().hostsFile()).contains(MACHINE.value()));
    long fileMillis = (System.nanoTime() - t0) / 1_000_000;
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(1))
        .until(
            () ->
                machine
                    .udhcpc(DhcpIdentity.IPXE)
                    .map(lease -> "10.11.0.2".equals(lease.get("ip")))
                    .orElse(false));
    long dhcpMillis = (System.nanoTime() - t0) / 1_000_000;

    Files.writeString(
        lab.workDir().resolve("claim-latency.txt"),
        "configmap-write->file " + fileMillis + " ms, ->dhcp-answer " + dhcpMillis + " ms\n");
    System.out.println(
        "claim latency: ConfigMap write -> file "
            + fileMillis
            + " ms, -> DHCP answer with slot address "
            + dhcpMillis
            + " ms");
    assertThat(dhcpMillis).isLessThan(1000);
    assertThat(stack.dnsmasq().starts()).isEqualTo(1);
  }

  @Test
  void shouldSighupDnsmasqWhenAnEntryTurnsIntoAnIgnoreAndKeepItRunning() {
    Client machine = lab.addClient(MACHINE);
    apply(
        Names.CONFIGMAP_DNSMASQ_HOSTS,
        Names.KEY_HOSTS,
        DnsmasqHostsRenderer.render(
            List.of(
                DnsmasqHostEntry.reservation(MACHINE, Ipv4.parse("10.11.0.2"), "peach-beach"))));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> machine.udhcpc(DhcpIdentity.IPXE).map(l -> l.get("ip")).orElse(""),
            "10.11.0.2"::equals);

    apply(
        Names.CONFIGMAP_DNSMASQ_HOSTS,
        Names.KEY_HOSTS,
        DnsmasqHostsRenderer.render(List.of(DnsmasqHostEntry.ignored(MACHINE))));

    await().atMost(Duration.ofSeconds(5)).until(() -> machine.udhcpc(DhcpIdentity.IPXE).isEmpty());
    assertThat(machine.probe(MACHINE, "init-reboot", "10.11.0.2", null, true).reply()).isNull();
    assertThat(stack.dnsmasq().isAlive()).isTrue();
    assertThat(stack.dnsmasq().starts()).isEqualTo(1);
  }

  @Test
  void shouldRestartDnsmasqWhenItsStaticConfigurationChanges() {
    Client machine = lab.addClient(MACHINE);
    apply(
        Names.CONFIGMAP_DNSMASQ,
        Names.KEY_DNSMASQ_CONF,
        staticConf(settings.with(Map.of("domain", "other.lan"))));

    await().atMost(Duration.ofSeconds(5)).until(() -> stack.dnsmasq().starts() == 2);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> machine.udhcpc(DhcpIdentity.PXE_BIOS).map(l -> l.get("domain")).orElse(""),
            "other.lan"::equals);
  }
}
