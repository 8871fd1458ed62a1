package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.net.Client.DhcpIdentity;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.render.DnsmasqConf;
import lan.homelab.pxe.render.DnsmasqConfRenderer;
import lan.homelab.pxe.render.DnsmasqHostEntry;
import lan.homelab.pxe.render.DnsmasqHostsRenderer;
import lan.homelab.pxe.sync.AtomicFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rendered dnsmasq configuration with an {@code allowList}, run by a real dnsmasq and asked by
 * real clients: only allowed unknown PXE clients get a pool lease, the deny list wins over the
 * allow list, and a reserved (known) machine gets its address whatever its MAC.
 */
class AllowListOnRealDnsmasqTest {
  static final Mac ALLOWED = Mac.parse("52:54:00:00:02:01");
  static final Mac ALLOWED_BUT_DENIED = Mac.parse("52:54:00:00:02:09");
  static final Mac STRANGER = Mac.parse("02:00:00:00:02:05");
  static final Mac RESERVED_STRANGER = Mac.parse("02:00:00:00:02:06");
  static final String SERVER = "10.11.0.1";

  static NetLab lab;
  static BootStack stack;

  @BeforeAll
  static void startDnsmasq() throws IOException {
    NetPrerequisites.require("dnsmasq", "busybox");
    Path work =
        Path.of("target", "netlab", "allow-" + ProcessHandle.current().pid()).toAbsolutePath();
    lab = NetLab.create(work, SERVER + "/22");
    BootDir dir = new BootDir(work.resolve("boot"));
    stack = new BootStack(lab, dir);
    OperatorSettings settings =
        OperatorSettings.defaults()
            .with(
                Map.of(
                    "interface",
                    NetLab.BRIDGE,
                    "allowList",
                    List.of("52:54:00:00:02"),
                    "denyList",
                    List.of("bc:24:11", ALLOWED_BUT_DENIED.value())));
    AtomicFiles.write(
        dir.dnsmasqConf(),
        dir.relocate(DnsmasqConfRenderer.render(DnsmasqConf.of(settings, null))));
    AtomicFiles.write(dir.hookToken(), "test-hook-token\n");
    try (InputStream hook = DhcpOnRealDnsmasqTest.class.getResourceAsStream("test-dhcp-hook.sh")) {
      AtomicFiles.write(dir.hookScript(), new String(hook.readAllBytes()), AtomicFiles.EXECUTABLE);
    }
    AtomicFiles.write(
        dir.hostsFile(),
        DnsmasqHostsRenderer.render(
            List.of(
                DnsmasqHostEntry.reservation(
                    RESERVED_STRANGER, Ipv4.parse("10.11.0.2"), "peach-beach"))));
    stack.startDnsmasq();
    await().atMost(Duration.ofSeconds(5)).until(() -> Files.isRegularFile(dir.dnsmasqPidFile()));
  }

  @AfterAll
  static void tearDown() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void shouldLendAPoolAddressToAnAllowedPxeClient() {
    Optional<Map<String, String>> lease = lab.addClient(ALLOWED).udhcpc(DhcpIdentity.PXE_BIOS);

    assertThat(lease).isPresent();
    assertThat(OperatorSettings.defaults().inDiscoveryPool(Ipv4.parse(lease.get().get("ip"))))
        .isTrue();
  }

  @Test
  void shouldGiveNoPoolLeaseToAPxeClientOutsideTheAllowList() {
    Client stranger = lab.addClient(STRANGER);

    assertThat(stranger.udhcpc(DhcpIdentity.PXE_BIOS)).isEmpty();
    assertThat(stranger.udhcpc(DhcpIdentity.IPXE)).isEmpty();
  }

  @Test
  void shouldGiveNoPoolLeaseToAnAllowedPrefixOnTheDenyList() {
    assertThat(lab.addClient(ALLOWED_BUT_DENIED).udhcpc(DhcpIdentity.PXE_BIOS)).isEmpty();
  }

  @Test
  void shouldStillGiveAReservedMachineItsSlotAddressWhateverItsMac() {
    Optional<Map<String, String>> lease =
        lab.addClient(RESERVED_STRANGER).udhcpc(DhcpIdentity.IPXE);

    assertThat(lease).isPresent();
    assertThat(lease.get()).containsEntry("ip", "10.11.0.2");
  }
}
