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
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.net.QemuMachine.Firmware;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.render.BootUrls;
import lan.homelab.pxe.render.DnsmasqConf;
import lan.homelab.pxe.render.DnsmasqConfRenderer;
import lan.homelab.pxe.render.DnsmasqHostEntry;
import lan.homelab.pxe.render.DnsmasqHostsRenderer;
import lan.homelab.pxe.render.IpxeScripts;
import lan.homelab.pxe.render.NginxConfRenderer;
import lan.homelab.pxe.sync.AtomicFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole boot chain with real firmware: a QEMU machine PXE-boots through dnsmasq, iPXE and nginx
 * into the fake installer, which fetches its answer and calls the webhook. The test plays the
 * operator (claims on the lease event by writing the files the sync process would write).
 */
class QemuBootChainTest {
  static final String RECEIVER = "http://10.11.0.1:9090";

  NetLab lab;
  BootDir dir;
  Path events;
  final List<DnsmasqHostEntry> hosts = new ArrayList<>();
  final OperatorSettings settings =
      OperatorSettings.defaults().with(Map.of("interface", NetLab.BRIDGE));

  @BeforeEach
  void start() throws IOException {
    NetPrerequisites.require("qemu-system-x86_64", "dnsmasq", "nginx", "curl", "cpio");
    NetPrerequisites.requireBootFiles();
    Path work =
        Path.of(
                "target",
                "netlab",
                "qemu-" + ProcessHandle.current().pid() + "-" + System.nanoTime())
            .toAbsolutePath();
    lab = NetLab.create(work, "10.11.0.1/22");
    dir = new BootDir(work.resolve("boot"));
    BootStack stack = new BootStack(lab, dir);
    FakeInstaller.build(dir.assetsDir(), work);
    AtomicFiles.write(
        dir.dnsmasqConf(),
        dir.relocate(DnsmasqConfRenderer.render(DnsmasqConf.of(settings, null))));
    AtomicFiles.write(dir.hostsFile(), DnsmasqHostsRenderer.render(hosts));
    AtomicFiles.write(dir.nginxConf(), dir.relocate(NginxConfRenderer.render(settings, RECEIVER)));
    AtomicFiles.write(
        dir.hookTokenInclude(), NginxConfRenderer.tokenInclude("hook-secret"), AtomicFiles.SECRET);
    AtomicFiles.write(dir.assetsAllowInclude(), NginxConfRenderer.assetsAllowInclude(List.of()));
    AtomicFiles.write(dir.hookToken(), "hook-secret\n", AtomicFiles.SECRET);
    AtomicFiles.write(dir.genericIpxe(), IpxeScripts.generic(BootUrls.of(settings)));
    try (InputStream hook = getClass().getResourceAsStream("test-dhcp-hook.sh")) {
      AtomicFiles.write(dir.hookScript(), new String(hook.readAllBytes()), AtomicFiles.EXECUTABLE);
    }
    events = work.resolve("events.jsonl");
    lab.start(
        lab.serverNamespace(),
        List.of(
            NetLab.PYTHON,
            lab.script("hook-receiver.py").toString(),
            "10.11.0.1",
            "9090",
            events.toString()),
        "receiver");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lab.exec(
                        lab.serverNamespace(),
                        List.of("curl", "-s", "-m", "1", "-d", "", RECEIVER + "/ready"),
                        5)
                    .ok());
    stack.startDnsmasq();
    stack.startNginx();
    stack.startRouterAdvertisements();
  }

  @AfterEach
  void stop() {
    if (lab != null) {
      lab.close();
    }
  }

  List<String> received(String text) throws IOException {
    return Files.exists(events)
        ? Files.readAllLines(events).stream().filter(l -> l.contains(text)).toList()
        : List.of();
  }

  /** DHCPACKs dnsmasq sent to the MAC so far (its log). */
  long acks(Mac mac) throws IOException {
    return Files.readAllLines(lab.log("dnsmasq")).stream()
        .filter(l -> l.contains("DHCPACK(") && l.contains(mac.value()))
        .count();
  }

  /** What the operator does on a claim, written straight into the boot directory. */
  void claim(Mac mac, String address, String hostname) throws IOException {
    Ipv4 ip = Ipv4.parse(address);
    hosts.add(DnsmasqHostEntry.reservation(mac, ip, hostname));
    AtomicFiles.write(dir.hostsFile(), DnsmasqHostsRenderer.render(hosts));
    AtomicFiles.write(
        dir.assetsAllowInclude(),
        NginxConfRenderer.assetsAllowInclude(
            hosts.stream().map(DnsmasqHostEntry::address).toList()));
    new lan.homelab.pxe.sync.BootSignals(dir).reloadNginx();
    AtomicFiles.write(
        dir.nodeIpxe(mac), IpxeScripts.node(BootUrls.of(settings), mac, ip, hostname));
    AtomicFiles.write(
        dir.answer(ip),
        "[global]\nfqdn = \""
            + hostname
            + ".homelab.lan\"\n\n[post-installation-webhook]\nurl = \"http://10.11.0.1:8080/v1/webhook/"
            + mac.objectName()
            + "/node-token\"\n");
  }

  void bootsThroughTheWholeChain(Firmware firmware, Mac mac) throws IOException {
    QemuMachine machine = QemuMachine.start(lab, "vm-" + mac.objectName(), mac, firmware, 6144);

    await().atMost(Duration.ofSeconds(90)).until(() -> !received("mac=" + mac.value()).isEmpty());
    String firstLease = received("mac=" + mac.value()).get(0);
    assertThat(firstLease).contains("ip=10.11.3.");
    // Unclaimed, the generic script waits and renews its lease: claim only after a renewal.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> acks(mac) >= 2);
    claim(mac, "10.11.0.2", "peach-beach");

    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !received("/v1/webhook/" + mac.objectName() + "/node-token").isEmpty());
    String webhook = received("/v1/webhook/" + mac.objectName() + "/node-token").get(0);
    assertThat(webhook).contains("\"x-real-ip\": \"10.11.0.2\"").contains(mac.value());
    assertThat(received("/v1/notify/answer-served"))
        .anyMatch(l -> l.contains("\"x-real-ip\": \"10.11.0.2\""));
    assertThat(received("/v1/notify/boot-script-served?install=" + mac.objectName())).isNotEmpty();
    await().atMost(Duration.ofSeconds(30)).until(() -> !machine.isRunning());
    assertThat(machine.serial()).contains("fake-installer: iso present", "fake-installer: DONE");
  }

  @Test
  void shouldBootBiosMachineWithIpxeRomIntoTheInstallerOnItsSlotAddress() throws IOException {
    bootsThroughTheWholeChain(Firmware.BIOS, Mac.parse("52:54:00:aa:00:01"));
  }

  /**
   * OVMF with no NIC ROM: the firmware's own PXE client TFTPs ipxe.efi; Debian 12's iPXE cannot
   * name initrds under UEFI, so the per-node script boots the ISO from proxmox-iso.cpio there.
   */
  @Test
  void shouldBootUefiMachineThroughFirmwarePxeAndIpxeEfiIntoTheInstaller() throws IOException {
    bootsThroughTheWholeChain(Firmware.UEFI, Mac.parse("52:54:00:aa:00:02"));

    assertThat(Files.readString(lab.log("dnsmasq")))
        .as("the firmware's PXE client fetched the loader the dnsmasq image ships")
        .contains("sent " + dir.tftpDir().resolve("ipxe.efi"));
  }
}
