package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.net.Client.DhcpIdentity;
import lan.homelab.pxe.lab.net.Client.ProbeReply;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.render.DnsmasqConf;
import lan.homelab.pxe.render.DnsmasqConfRenderer;
import lan.homelab.pxe.render.DnsmasqHostEntry;
import lan.homelab.pxe.render.DnsmasqHostsRenderer;
import lan.homelab.pxe.sync.AtomicFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rendered dnsmasq configuration, run by a real dnsmasq 2.90 and asked by real clients. */
class DhcpOnRealDnsmasqTest {
  static final Mac RESERVED = Mac.parse("52:54:00:00:01:02");
  static final Mac IGNORED = Mac.parse("52:54:00:00:01:03");
  static final Mac NEWCOMER = Mac.parse("52:54:00:00:01:04");
  static final Mac LAPTOP = Mac.parse("52:54:00:00:01:05");
  static final String SERVER = "10.11.0.1";

  static NetLab lab;
  static BootStack stack;
  static Path events;
  static final List<DnsmasqHostEntry> entries = new ArrayList<>();

  @BeforeAll
  static void startDnsmasq() throws IOException {
    NetPrerequisites.require("dnsmasq", "busybox", "curl");
    Path work =
        Path.of("target", "netlab", "dhcp-" + ProcessHandle.current().pid()).toAbsolutePath();
    lab = NetLab.create(work, SERVER + "/22");
    BootDir dir = new BootDir(work.resolve("boot"));
    stack = new BootStack(lab, dir);
    OperatorSettings settings =
        OperatorSettings.defaults().with(Map.of("interface", NetLab.BRIDGE));
    AtomicFiles.write(
        dir.dnsmasqConf(),
        dir.relocate(DnsmasqConfRenderer.render(DnsmasqConf.of(settings, null))));
    AtomicFiles.write(dir.hookToken(), "test-hook-token\n");
    try (InputStream hook = DhcpOnRealDnsmasqTest.class.getResourceAsStream("test-dhcp-hook.sh")) {
      AtomicFiles.write(dir.hookScript(), new String(hook.readAllBytes()), AtomicFiles.EXECUTABLE);
    }
    entries.add(DnsmasqHostEntry.reservation(RESERVED, Ipv4.parse("10.11.0.2"), "peach-beach"));
    entries.add(DnsmasqHostEntry.ignored(IGNORED));
    writeHosts();
    events = work.resolve("events.jsonl");
    lab.start(
        lab.serverNamespace(),
        List.of(
            "python3",
            lab.script("hook-receiver.py").toString(),
            SERVER,
            "9090",
            events.toString()),
        "receiver");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lab.exec(
                        lab.serverNamespace(),
                        List.of(
                            "curl", "-s", "-m", "1", "-d", "", "http://" + SERVER + ":9090/ready"),
                        5)
                    .ok());
    stack.startDnsmasq();
    await().atMost(Duration.ofSeconds(5)).until(() -> Files.isRegularFile(dir.dnsmasqPidFile()));
  }

  @AfterAll
  static void tearDown() {
    if (lab != null) {
      lab.close();
    }
  }

  static void writeHosts() throws IOException {
    AtomicFiles.write(stack.dir().hostsFile(), DnsmasqHostsRenderer.render(entries));
  }

  static void sighup() {
    Cmd.check("kill", "-HUP", Long.toString(stack.dnsmasq().pid()));
  }

  @Test
  void shouldGiveReservedMacItsSlotAddressHostnameAndAnswerUrl() {
    Client machine = lab.addClient(RESERVED);

    Optional<Map<String, String>> ipxe = machine.udhcpc(DhcpIdentity.IPXE);
    Optional<Map<String, String>> installer = machine.udhcpc(DhcpIdentity.PLAIN);

    assertThat(ipxe).isPresent();
    assertThat(ipxe.get())
        .containsEntry("ip", "10.11.0.2")
        .containsEntry("hostname", "peach-beach")
        .containsEntry("boot_file", "http://10.11.0.1:8080/boot.ipxe");
    assertThat(installer).isPresent();
    assertThat(installer.get()).containsEntry("ip", "10.11.0.2").containsKey("opt250");
    assertThat(hexText(installer.get().get("opt250"))).isEqualTo("http://10.11.0.1:8080/answer");
  }

  @Test
  void shouldIgnoreIgnoredMacOnDiscoverAndEveryKindOfRequest() {
    Client machine = lab.addClient(IGNORED);

    ProbeReply discover = machine.probe(IGNORED, "discover", null, null, true);
    ProbeReply initReboot = machine.probe(IGNORED, "init-reboot", "10.11.0.9", null, true);
    ProbeReply selecting = machine.probe(IGNORED, "selecting", "10.11.0.9", SERVER, true);
    ProbeReply renew = machine.probe(IGNORED, "renew", "10.11.0.9", SERVER, true);

    assertThat(discover.reply()).isNull();
    assertThat(initReboot.reply()).isNull();
    assertThat(selecting.reply()).isNull();
    assertThat(renew.reply()).isNull();
    assertThat(machine.udhcpc(DhcpIdentity.IPXE)).isEmpty();
  }

  @Test
  void shouldGiveNothingToPlainClientWithoutReservation() {
    Client laptop = lab.addClient(LAPTOP);

    assertThat(laptop.udhcpc(DhcpIdentity.PLAIN)).isEmpty();
    assertThat(laptop.probe(LAPTOP, "discover", null, null, false).reply()).isNull();
  }

  @Test
  void shouldLendPoolAddressToPxeNewcomerWithLoaderAndReportItToTheHook() throws IOException {
    Client newcomer = lab.addClient(NEWCOMER);
    OperatorSettings settings = OperatorSettings.defaults();

    Optional<Map<String, String>> lease = newcomer.udhcpc(DhcpIdentity.PXE_BIOS);

    assertThat(lease).isPresent();
    assertThat(settings.inDiscoveryPool(Ipv4.parse(lease.get().get("ip")))).isTrue();
    assertThat(lease.get()).containsEntry("boot_file", "undionly.kpxe").doesNotContainKey("opt250");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Files.exists(events)
                    && Files.readString(events).contains("mac=" + NEWCOMER.value()));
    String event =
        Files.readAllLines(events).stream()
            .filter(l -> l.contains("mac=" + NEWCOMER.value()))
            .findFirst()
            .orElseThrow();
    assertThat(event)
        .contains("\"path\": \"/v1/dhcp-events\"")
        .contains("\"x-pxe-hook-token\": \"test-hook-token\"")
        .contains("action=add")
        .contains("ip=" + lease.get().get("ip"))
        .contains("vendor=PXEClient");
  }

  @Test
  void shouldKeepAnsweringRightWhileReservationsComeAndGoUnderSighup() throws Exception {
    Mac steady = Mac.parse("52:54:00:00:01:10");
    Mac toggled = Mac.parse("52:54:00:00:01:11");
    Client steadyMachine = lab.addClient(steady);
    Client toggledMachine = lab.addClient(toggled);
    DnsmasqHostEntry steadyEntry =
        DnsmasqHostEntry.reservation(steady, Ipv4.parse("10.11.0.5"), "steady");
    DnsmasqHostEntry toggledEntry =
        DnsmasqHostEntry.reservation(toggled, Ipv4.parse("10.11.0.6"), "toggled");
    entries.add(steadyEntry);
    writeHosts();
    sighup();
    long startsBefore = stack.dnsmasq().starts();
    List<String> steadyAnswers = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean talking =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread chatter =
        new Thread(
            () -> {
              for (int i = 0; i < 200 && talking.get(); i++) {
                steadyAnswers.add(
                    steadyMachine.udhcpc(DhcpIdentity.IPXE).map(l -> l.get("ip")).orElse("none"));
                toggledMachine.udhcpc(DhcpIdentity.IPXE);
              }
            });
    chatter.start();
    try {
      for (int round = 0; round < 10; round++) {
        if (round % 2 == 0) {
          entries.add(toggledEntry);
        } else {
          entries.remove(toggledEntry);
        }
        writeHosts();
        sighup();
        await().atMost(Duration.ofSeconds(5)).until(() -> steadyAnswers.size() > 0);
        int seen = steadyAnswers.size();
        await().atMost(Duration.ofSeconds(5)).until(() -> steadyAnswers.size() > seen);
      }
    } finally {
      talking.set(false);
      chatter.join(30_000);
    }
    entries.add(toggledEntry);
    writeHosts();
    sighup();

    assertThat(stack.dnsmasq().isAlive()).isTrue();
    assertThat(stack.dnsmasq().starts()).isEqualTo(startsBefore);
    assertThat(steadyAnswers).isNotEmpty().allMatch("10.11.0.5"::equals);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> toggledMachine.udhcpc(DhcpIdentity.IPXE).map(l -> l.get("ip")).orElse(""),
            "10.11.0.6"::equals);
  }

  /** udhcpc prints options it does not know as hex. */
  static String hexText(String hex) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i + 1 < hex.length(); i += 2) {
      out.append((char) Integer.parseInt(hex.substring(i, i + 2), 16));
    }
    return out.toString();
  }
}
