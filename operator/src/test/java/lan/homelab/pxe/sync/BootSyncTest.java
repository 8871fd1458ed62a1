package lan.homelab.pxe.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.render.BootDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootSyncTest {
  static final String NS = "pxe-system";
  static final Mac MAC = Mac.parse("52:54:00:00:00:0a");

  @TempDir Path root;
  MockApi api;
  KubernetesClient client;
  BootDir dir;
  BootSync sync;
  final List<String> signals = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    api = new MockApi(NS);
    client = api.client();
    dir = new BootDir(root);
    BootSignals recording =
        new BootSignals(dir) {
          @Override
          public void reloadDnsmasqHosts() {
            signals.add("hup-dnsmasq");
          }

          @Override
          public void restartDnsmasq() {
            signals.add("restart-dnsmasq");
          }

          @Override
          public void reloadNginx() {
            signals.add("reload-nginx");
          }
        };
    sync = new BootSync(client, NS, dir, recording).start();
  }

  @AfterEach
  void stop() {
    sync.close();
    api.close();
  }

  /** Writes a ConfigMap as the operator does, with its managed-by label. */
  void configMap(String name, Map<String, String> data) {
    configMap(name, data, Map.of(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY_VALUE));
  }

  void configMap(String name, Map<String, String> data, Map<String, String> labels) {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(labels)
                .endMetadata()
                .withData(data)
                .build())
        .createOr(c -> c.update());
  }

  /** Applies a ConfigMap and waits until the sync process has acted on it. */
  void applyAndSettle(String name, Map<String, String> data) throws InterruptedException {
    long before = sync.syncs();
    configMap(name, data);
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.syncs() > before);
    assertThat(sync.awaitIdle(5000)).isTrue();
  }

  @Test
  void shouldWriteEveryBootFileRelocatedAndTheTokenForThePodsGroupOnly() throws Exception {
    configMap(
        Names.CONFIGMAP_DNSMASQ,
        Map.of(Names.KEY_DNSMASQ_CONF, "dhcp-hostsdir=" + BootDir.POD_ROOT + "/dnsmasq/hosts\n"));
    configMap(Names.CONFIGMAP_DNSMASQ_HOSTS, Map.of(Names.KEY_HOSTS, MAC + ",10.11.0.2,a,1h\n"));
    configMap(
        Names.CONFIGMAP_BOOT,
        Map.of(
            Names.KEY_NGINX_CONF,
            "pid " + BootDir.POD_ROOT + "/run/nginx.pid;\n",
            Names.KEY_GENERIC_IPXE,
            "#!ipxe\n"));
    configMap(
        Names.nodeConfigMap(MAC.objectName()),
        Map.of(
            Names.KEY_MAC, MAC.value(),
            Names.KEY_ADDRESS, "10.11.0.2",
            Names.KEY_NODE_IPXE, "#!ipxe node\n",
            Names.KEY_ANSWER, "[global]\n"));
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_DHCP_HOOK)
                .withNamespace(NS)
                .endMetadata()
                .addToStringData(Names.KEY_TOKEN, "tok-123")
                .build())
        .create();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Files.exists(dir.hookToken()) && Files.exists(dir.answer(Ipv4.parse("10.11.0.2"))));

    assertThat(Files.readString(dir.dnsmasqConf()))
        .isEqualTo("dhcp-hostsdir=" + root + "/dnsmasq/hosts\n");
    assertThat(Files.readString(dir.hostsFile())).contains(MAC + ",10.11.0.2");
    assertThat(Files.readString(dir.nginxConf())).isEqualTo("pid " + root + "/run/nginx.pid;\n");
    assertThat(Files.readString(dir.genericIpxe())).isEqualTo("#!ipxe\n");
    assertThat(Files.readString(dir.nodeIpxe(MAC))).isEqualTo("#!ipxe node\n");
    assertThat(Files.readString(dir.answer(Ipv4.parse("10.11.0.2")))).isEqualTo("[global]\n");
    assertThat(Files.readString(dir.hookToken())).isEqualTo("tok-123\n");
    assertThat(Files.readString(dir.hookTokenInclude())).contains("\"tok-123\"");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.hookToken())))
        .as("readable by the pod's group only (nginx runs as another user in it)")
        .isEqualTo("rw-r-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.hostsFile())))
        .isEqualTo("rw-r--r--");
    assertThat((Integer) Files.getAttribute(dir.nginxTemp(), "unix:mode") & 07777)
        .as("nginx (uid 101, the pod's group) writes its pid and temp files under run/")
        .isEqualTo(02775);
    assertThat((Integer) Files.getAttribute(dir.hostsDir(), "unix:mode") & 07777)
        .as("setgid: files keep the pod's group")
        .isEqualTo(02755);
  }

  @Test
  void shouldTryAFailedSyncAgainWithoutWaitingForAnotherChange() throws Exception {
    assertThat(sync.awaitIdle(5000)).isTrue();
    Files.delete(dir.hostsFile());
    Files.createDirectories(dir.hostsFile()); // a directory where the hosts file goes: writes fail
    Files.writeString(dir.hostsFile().resolve("in-the-way"), "");
    configMap(Names.CONFIGMAP_DNSMASQ_HOSTS, Map.of(Names.KEY_HOSTS, MAC + ",10.11.0.2,a,1h\n"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.failedSyncs() > 0);

    Files.delete(dir.hostsFile().resolve("in-the-way"));
    Files.delete(dir.hostsFile());

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Files.isRegularFile(dir.hostsFile())
                    && Files.readString(dir.hostsFile()).contains(MAC + ",10.11.0.2"));
  }

  @Test
  void shouldBackOffFromOneSecondToAtMostThirtyBetweenFailedSyncs() {
    assertThat(BootSync.retryDelay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(BootSync.retryDelay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(BootSync.retryDelay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(BootSync.retryDelay(6)).isEqualTo(Duration.ofSeconds(30));
    assertThat(BootSync.retryDelay(1000)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void shouldIgnoreConfigMapsTheOperatorDidNotWrite() throws Exception {
    configMap(
        Names.nodeConfigMap("52-54-00-00-00-0b"),
        Map.of(
            Names.KEY_MAC, "52:54:00:00:00:0b",
            Names.KEY_ADDRESS, "10.11.0.3",
            Names.KEY_NODE_IPXE, "#!ipxe stranger\n",
            Names.KEY_ANSWER, "[global]\n"),
        Map.of());
    applyAndSettle(Names.CONFIGMAP_DNSMASQ_HOSTS, Map.of(Names.KEY_HOSTS, ""));

    assertThat(dir.nodeIpxe(Mac.parse("52:54:00:00:00:0b"))).doesNotExist();
    assertThat(dir.answer(Ipv4.parse("10.11.0.3"))).doesNotExist();
  }

  @Test
  void shouldRemoveANodesFilesWhenItsConfigMapIsDeleted() throws Exception {
    configMap(
        Names.nodeConfigMap(MAC.objectName()),
        Map.of(
            Names.KEY_MAC, MAC.value(),
            Names.KEY_ADDRESS, "10.11.0.2",
            Names.KEY_NODE_IPXE, "#!ipxe node\n",
            Names.KEY_ANSWER, "[global]\n"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.nodeIpxe(MAC)));

    client.configMaps().inNamespace(NS).withName(Names.nodeConfigMap(MAC.objectName())).delete();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !Files.exists(dir.nodeIpxe(MAC))
                    && !Files.exists(dir.answer(Ipv4.parse("10.11.0.2"))));
  }

  @Test
  void shouldSignalOnlyWhatEachChangeNeeds() throws Exception {
    applyAndSettle(Names.CONFIGMAP_DNSMASQ_HOSTS, Map.of(Names.KEY_HOSTS, "a,10.11.0.2,a,1h\n"));
    signals.clear();

    applyAndSettle(
        Names.CONFIGMAP_DNSMASQ_HOSTS,
        Map.of(Names.KEY_HOSTS, "a,10.11.0.2,a,1h\nb,10.11.0.3,b,1h\n"));
    assertThat(signals).as("an added entry is read through inotify").isEmpty();

    applyAndSettle(
        Names.CONFIGMAP_DNSMASQ_HOSTS, Map.of(Names.KEY_HOSTS, "a,ignore\nb,10.11.0.3,b,1h\n"));
    assertThat(signals).containsExactly("hup-dnsmasq");

    signals.clear();
    applyAndSettle(Names.CONFIGMAP_DNSMASQ, Map.of(Names.KEY_DNSMASQ_CONF, "port=0\n"));
    assertThat(signals).containsExactly("restart-dnsmasq");

    signals.clear();
    applyAndSettle(Names.CONFIGMAP_BOOT, Map.of(Names.KEY_NGINX_CONF, "events {}\n"));
    assertThat(signals).containsExactly("reload-nginx");
  }

  @Test
  void shouldWriteTheAssetsAllowIncludeFromTheHostsConfigMapAndReloadNginxWhenItChanges()
      throws Exception {
    assertThat(sync.awaitIdle(5000)).isTrue();
    assertThat(Files.readString(dir.assetsAllowInclude()))
        .as("before any ConfigMap: nobody gets the assets")
        .endsWith("deny all;\n")
        .doesNotContain("allow");
    signals.clear();

    applyAndSettle(
        Names.CONFIGMAP_DNSMASQ_HOSTS,
        Map.of(
            Names.KEY_HOSTS,
            "a,10.11.0.2,a,1h\n",
            Names.KEY_ASSETS_ALLOW,
            "10.11.3.200\n10.11.0.2\nallow all\n"));

    assertThat(Files.readString(dir.assetsAllowInclude()))
        .contains("allow 10.11.0.2;\nallow 10.11.3.200;\ndeny all;\n")
        .as("a line that is not an address never reaches nginx")
        .doesNotContain("allow all");
    assertThat(signals).containsExactly("reload-nginx");

    signals.clear();
    applyAndSettle(
        Names.CONFIGMAP_DNSMASQ_HOSTS,
        Map.of(Names.KEY_HOSTS, "a,10.11.0.2,a,1h\n", Names.KEY_ASSETS_ALLOW, "10.11.0.2\n"));
    assertThat(Files.readString(dir.assetsAllowInclude())).doesNotContain("10.11.3.200");
    assertThat(signals).containsExactly("reload-nginx");
  }
}
