package lan.homelab.pxe.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.Test;

class RenderersGoldenTest {
  static final OperatorSettings SEED = OperatorSettings.defaults();
  static final Mac PEACH = Mac.parse("B4:2E:99:AC:AD:B4");

  @Test
  void shouldRenderDnsmasqStaticConfigurationForTheSeedNetwork() throws IOException {
    String conf = DnsmasqConfRenderer.render(DnsmasqConf.of(SEED, "AB:CD"));

    Golden.assertMatches("dnsmasq.conf", conf);
    assertThat(conf)
        .contains("port=0", "interface=vmbr0", "no-ping", "dhcp-ignore=tag:!known,tag:!pxe")
        .doesNotContain(",251,");
  }

  @Test
  void shouldTagAllowedAndDeniedMacsAndLetOnlyAllowedUnknownClientsLeaseWhenAnAllowListIsSet()
      throws IOException {
    OperatorSettings allow =
        SEED.with(
            Map.of(
                "allowList",
                List.of("52:54:00", "B4-2E-99-AC"),
                "denyList",
                List.of("bc2411", "52:54:00:00:00:09")));

    String conf = DnsmasqConfRenderer.render(DnsmasqConf.of(allow, null));

    Golden.assertMatches("dnsmasq-allow-list.conf", conf);
    assertThat(conf)
        .contains("dhcp-mac=set:allowed,52:54:00:*:*:*")
        .contains("dhcp-mac=set:allowed,b4:2e:99:ac:*:*")
        .contains("dhcp-mac=set:denied,bc:24:11:*:*:*")
        .contains("dhcp-mac=set:denied,52:54:00:00:00:09")
        .contains("dhcp-ignore=tag:!known,tag:!allowed")
        .contains("dhcp-ignore=tag:!known,tag:denied");
    assertThat(DnsmasqConfRenderer.render(DnsmasqConf.of(SEED, null)))
        .as("without an allow list every PXE client gets a pool lease")
        .doesNotContain("dhcp-mac=", "tag:!allowed");
  }

  @Test
  void shouldHandUefiMachinesTheIpxeEfiTheDnsmasqImageShipsAndBiosMachinesUndionly() {
    String conf = DnsmasqConfRenderer.render(DnsmasqConf.of(SEED, null));

    assertThat(conf)
        .contains("dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi")
        .contains("dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe")
        .doesNotContain("snponly");
  }

  @Test
  void shouldSendTheCertificateFingerprintAsOption251OnlyWithTls() throws IOException {
    OperatorSettings tls = SEED.with(Map.of("tls.enabled", true));

    String conf = DnsmasqConfRenderer.render(DnsmasqConf.of(tls, "AB:CD:EF"));

    Golden.assertMatches("dnsmasq-tls.conf", conf);
    assertThat(conf)
        .contains("dhcp-option-force=tag:known,250,\"https://10.11.0.1:8443/answer\"")
        .contains("dhcp-option-force=tag:known,251,\"AB:CD:EF\"");
  }

  @Test
  void shouldRenderHostEntriesSortedByMacWithoutTags() throws IOException {
    String hosts =
        DnsmasqHostsRenderer.render(
            List.of(
                DnsmasqHostEntry.ignored(Mac.parse("52:54:00:00:00:09")),
                DnsmasqHostEntry.reservation(PEACH, Ipv4.parse("10.11.0.2"), "peach-beach"),
                DnsmasqHostEntry.reservation(
                    Mac.parse("52:54:00:00:00:03"), Ipv4.parse("10.11.0.3"), "moo-moo-meadows")));

    Golden.assertMatches("hosts", hosts);
    assertThat(hosts).doesNotContain("set:", "tag:");
  }

  @Test
  void shouldRenderNginxConfiguration() throws IOException {
    Golden.assertMatches(
        "nginx.conf", NginxConfRenderer.render(SEED, "http://pxe-operator.pxe-system.svc:8081/"));
    Golden.assertMatches(
        "nginx-tls.conf",
        NginxConfRenderer.render(
            SEED.with(Map.of("tls.enabled", true)), "http://pxe-operator.pxe-system.svc:8081"));
  }

  @Test
  void shouldListenOnAndPointTheInstallerAtTheConfiguredNginxPortsWhenTheyAreNotTheDefaults() {
    OperatorSettings ports =
        OperatorSettings.fromMap(
            Map.of("nginxHttpPort", 8180, "nginxHttpsPort", 8543, "tls.enabled", true));

    String nginx = NginxConfRenderer.render(ports, "http://pxe-operator.pxe-system.svc:8081");
    String dnsmasq = DnsmasqConfRenderer.render(DnsmasqConf.of(ports, "AB:CD:EF"));

    assertThat(nginx).contains("listen 8180;", "listen 8543 ssl;").doesNotContain("8080", "8443");
    assertThat(dnsmasq)
        .contains("dhcp-boot=tag:ipxe,http://10.11.0.1:8180/boot.ipxe")
        .contains("dhcp-option-force=tag:known,250,\"https://10.11.0.1:8543/answer\"");
    assertThat(BootUrls.of(ports).answer()).isEqualTo("https://10.11.0.1:8543/answer");
  }

  @Test
  void shouldRenderTheIpxeChain() throws IOException {
    BootUrls urls = BootUrls.of(SEED);

    Golden.assertMatches("boot.ipxe", IpxeScripts.generic(urls));
    Golden.assertMatches(
        "node.ipxe", IpxeScripts.node(urls, PEACH, Ipv4.parse("10.11.0.2"), "peach-beach"));
    Golden.assertMatches("node-assets-only.ipxe", IpxeScripts.node(urls.assets(), "peach-beach"));
  }

  @Test
  void shouldBootTheInstallerWithProxmoxKernelArgumentsAndNamedIso() {
    String script =
        IpxeScripts.node(BootUrls.of(SEED), PEACH, Ipv4.parse("10.11.0.2"), "peach-beach");

    assertThat(script)
        .contains(
            "/vmlinuz initrd=initrd.img ramdisk_size=16777216 rw quiet splash=silent"
                + " proxmox-start-auto-installer")
        .contains("initrd --name proxmox.iso http://10.11.0.1:8080/assets/proxmox.iso proxmox.iso")
        .contains("iseq ${ip} 10.11.0.2 && goto memory")
        .contains("imgfetch --name memory-ok http://10.11.0.1:8080/ipxe/memory-ok/${memsize}");
  }

  @Test
  void shouldRefuseAHookTokenNginxCannotQuote() {
    assertThat(NginxConfRenderer.tokenInclude("abc-123_x"))
        .isEqualTo("proxy_set_header X-Pxe-Hook-Token \"abc-123_x\";\n");
    assertThatThrownBy(() -> NginxConfRenderer.tokenInclude("a\";evil"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRelocateRenderedPathsIntoAnotherRoot() {
    BootDir lab = new BootDir(java.nio.file.Path.of("/tmp/lab"));

    assertThat(lab.relocate("dhcp-hostsdir=/var/lib/pxe-boot/dnsmasq/hosts"))
        .isEqualTo("dhcp-hostsdir=/tmp/lab/dnsmasq/hosts");
  }
}
