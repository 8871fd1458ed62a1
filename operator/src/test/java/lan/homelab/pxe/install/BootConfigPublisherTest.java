package lan.homelab.pxe.install;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BootConfigPublisherTest {
  private static final String ENTRY = "52:54:00:00:00:0a,10.11.0.2,peach-beach";

  private final MockApi api = new MockApi(NS);
  private final BootConfigPublisher publisher =
      new BootConfigPublisher(
          api.client(),
          NS,
          () -> List.of(installing()),
          () -> List.of(claimedSlot()),
          Map::of,
          Duration.ofMillis(100));

  @AfterEach
  void stop() {
    publisher.close();
    api.close();
  }

  @Test
  void shouldWriteTheHostEntriesAgainWhenSomeoneElseOverwroteThem() {
    publisher.publish();
    assertThat(hosts()).contains(ENTRY);

    ConfigMap edited = hostsConfigMap();
    edited.setData(Map.of(Names.KEY_HOSTS, "# an old leader's entries\n"));
    api.client().resource(edited).update();

    await().atMost(Duration.ofSeconds(10)).until(() -> hosts().contains(ENTRY));
  }

  @Test
  void shouldLabelBootConfigMapsAnOlderVersionWroteWithoutTheLabelTheSyncSelects() {
    Map<String, String> dnsmasq = Map.of(Names.KEY_DNSMASQ_CONF, "port=0\n");
    BootConfigPublisher withStatic =
        new BootConfigPublisher(
            api.client(),
            NS,
            () -> List.of(installing()),
            () -> List.of(claimedSlot()),
            () -> Map.of(Names.CONFIGMAP_DNSMASQ, dnsmasq),
            Duration.ofMillis(100));
    List<String> names = List.of(Names.CONFIGMAP_DNSMASQ, Names.CONFIGMAP_DNSMASQ_HOSTS);
    try {
      withStatic.publish();
      String hosts = hosts();
      for (String name : names) {
        api.client()
            .configMaps()
            .inNamespace(NS)
            .withName(name)
            .edit(
                cm -> {
                  cm.getMetadata().setLabels(Map.of()); // as an older version wrote it
                  return cm;
                });
      }

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  names.stream()
                      .map(n -> api.client().configMaps().inNamespace(NS).withName(n).get())
                      .allMatch(
                          cm ->
                              cm.getMetadata().getLabels() != null
                                  && ApiConstants.MANAGED_BY_VALUE.equals(
                                      cm.getMetadata()
                                          .getLabels()
                                          .get(ApiConstants.LABEL_MANAGED_BY))));
      assertThat(hosts()).isEqualTo(hosts);
    } finally {
      withStatic.close();
    }
  }

  @Test
  void shouldNotWriteFromAReplicaThatNeverPublished() {
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> hostsConfigMap() == null);
  }

  private ConfigMap hostsConfigMap() {
    return api.client().configMaps().inNamespace(NS).withName(Names.CONFIGMAP_DNSMASQ_HOSTS).get();
  }

  private String hosts() {
    ConfigMap cm = hostsConfigMap();
    return cm == null ? "" : cm.getData().get(Names.KEY_HOSTS);
  }

  private static NodeInstall installing() {
    NodeInstall ni = new NodeInstall();
    ni.getMetadata().setName("52-54-00-00-00-0a");
    ni.getMetadata().setNamespace(NS);
    NodeInstallSpec spec = new NodeInstallSpec();
    spec.setMac("52:54:00:00:00:0a");
    spec.setSlot("peach-beach");
    ni.setSpec(spec);
    NodeInstallStatus status = new NodeInstallStatus();
    status.setPhase(NodeInstallPhase.Installing);
    ni.setStatus(status);
    return ni;
  }

  private static ProvisioningSlot claimedSlot() {
    ProvisioningSlot slot = Fixtures.slot("peach-beach", "10.11.0.2", "peach-beach");
    slot.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0a"));
    return slot;
  }

  @Test
  void shouldAllowTheAssetsToTheSlotAndLeasedAddressesOfInstallingMachinesOnly() {
    List<lan.homelab.pxe.api.v1alpha1.ProvisioningSlot> slots =
        List.of(
            assetSlot("peach-beach", "10.11.0.2", "52-54-00-00-00-0a"),
            assetSlot("moo-moo-meadows", "10.11.0.3", "52-54-00-00-00-0b"),
            assetSlot("koopa-cape", "10.11.0.4", null));
    List<lan.homelab.pxe.api.v1alpha1.NodeInstall> installs =
        List.of(
            assetInstall(
                "52:54:00:00:00:0a", "peach-beach", Installing, "10.11.3.200", "10.11.3.201"),
            assetInstall("52:54:00:00:00:0b", "moo-moo-meadows", Provisioned, "10.11.3.202"),
            assetInstall("52:54:00:00:00:0c", "koopa-cape", Installing, "10.11.3.203"),
            assetInstall("52:54:00:00:00:0d", null, Waiting, "10.11.3.204"));

    assertThat(BootConfigPublisher.assetAddresses(installs, slots))
        .as("a Provisioned machine, one whose slot is not claimed by it, a Waiting one: none")
        .extracting(Object::toString)
        .containsExactly("10.11.0.2", "10.11.3.200", "10.11.3.201");
  }

  private static final lan.homelab.pxe.api.v1alpha1.NodeInstallPhase Installing =
      lan.homelab.pxe.api.v1alpha1.NodeInstallPhase.Installing;
  private static final lan.homelab.pxe.api.v1alpha1.NodeInstallPhase Provisioned =
      lan.homelab.pxe.api.v1alpha1.NodeInstallPhase.Provisioned;
  private static final lan.homelab.pxe.api.v1alpha1.NodeInstallPhase Waiting =
      lan.homelab.pxe.api.v1alpha1.NodeInstallPhase.Waiting;

  private static lan.homelab.pxe.api.v1alpha1.ProvisioningSlot assetSlot(
      String name, String address, String claimedBy) {
    var slot = new lan.homelab.pxe.api.v1alpha1.ProvisioningSlot();
    slot.getMetadata().setName(name);
    if (claimedBy != null) {
      slot.getMetadata()
          .setLabels(Map.of(lan.homelab.pxe.api.v1alpha1.ApiConstants.LABEL_CLAIMED_BY, claimedBy));
    }
    var spec = new lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec();
    spec.setAddress(address);
    spec.setHostname(name);
    slot.setSpec(spec);
    return slot;
  }

  private static lan.homelab.pxe.api.v1alpha1.NodeInstall assetInstall(
      String mac,
      String slot,
      lan.homelab.pxe.api.v1alpha1.NodeInstallPhase phase,
      String... leased) {
    var install = new lan.homelab.pxe.api.v1alpha1.NodeInstall();
    install.getMetadata().setName(mac.replace(':', '-'));
    var spec = new lan.homelab.pxe.api.v1alpha1.NodeInstallSpec();
    spec.setMac(mac);
    spec.setSlot(slot);
    install.setSpec(spec);
    var status = new lan.homelab.pxe.api.v1alpha1.NodeInstallStatus();
    status.setPhase(phase);
    status.setLeasedAddresses(List.of(leased));
    install.setStatus(status);
    return install;
  }
}
