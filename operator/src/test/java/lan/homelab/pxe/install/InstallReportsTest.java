package lan.homelab.pxe.install;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.TestClock;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.status.Conditions;
import lan.homelab.pxe.status.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InstallReportsTest {
  private final MockApi api = new MockApi(NS);
  private final TestClock clock = new TestClock();
  private final InstallReports reports =
      new InstallReports(
          api.client(),
          OperatorSettings.defaults(),
          new Conditions(clock),
          new EventRecorder(api.client(), clock));

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void shouldFindTheInstallingMachineAtAnAddressByItsAddressLabel() {
    create("52-54-00-00-00-0a", "peach-beach", "10.11.0.2", NodeInstallPhase.Installing);
    create("52-54-00-00-00-0b", "moo-moo-meadows", "10.11.0.3", NodeInstallPhase.Provisioned);

    assertThat(reports.installingAt(Ipv4.parse("10.11.0.2")))
        .map(ni -> ni.getMetadata().getName())
        .contains("52-54-00-00-00-0a");
    assertThat(reports.installingAt(Ipv4.parse("10.11.0.3"))).isEmpty();
    assertThat(reports.installingAt(Ipv4.parse("10.11.0.4"))).isEmpty();
  }

  private void create(String name, String slot, String address, NodeInstallPhase phase) {
    NodeInstall install = new NodeInstall();
    install.getMetadata().setName(name);
    install.getMetadata().setNamespace(NS);
    install.getMetadata().setLabels(Map.of(ApiConstants.LABEL_ADDRESS, address));
    NodeInstallSpec spec = new NodeInstallSpec();
    spec.setMac(name.replace('-', ':'));
    spec.setSlot(slot);
    install.setSpec(spec);
    install = api.client().resource(install).create();
    NodeInstallStatus status = new NodeInstallStatus();
    status.setPhase(phase);
    status.setAddress(address);
    install.setStatus(status);
    api.client().resource(install).updateStatus();
  }

  @Test
  void shouldRecordABootScriptFetchOfAMachineThatHoldsASlotBeforeItsInstallingPhaseIsWritten() {
    NodeInstall install = new NodeInstall();
    install.getMetadata().setName(NAME);
    install.getMetadata().setNamespace(NS);
    NodeInstallSpec spec = new NodeInstallSpec();
    spec.setMac("52:54:00:00:00:0a");
    spec.setSlot("peach-beach");
    install.setSpec(spec);
    install = api.client().resource(install).create();
    NodeInstallStatus status = new NodeInstallStatus();
    status.setLeasedAddresses(List.of("10.11.3.200"));
    install.setStatus(status);
    api.client().resource(install).updateStatus();

    assertThat(reports.bootScriptServed(NAME, Ipv4.parse("10.11.3.200")))
        .isEqualTo(NotificationOutcome.RECORDED);

    assertThat(get(NAME).getStatus().getBootScriptServedAt()).isNotNull();
  }

  @Test
  void shouldRecordEachAddressDnsmasqLeasesToAKnownMacNewestLastKeepingTheNewestEight() {
    reports.discovered(lease("10.11.3.200"));
    for (int i = 1; i <= 9; i++) {
      reports.discovered(lease("10.11.3." + (200 + i)));
    }
    reports.discovered(lease("10.11.3.205"));
    reports.discovered(lease("10.11.3.205"));

    assertThat(get(NAME).getStatus().getLeasedAddresses())
        .containsExactly(
            "10.11.3.202",
            "10.11.3.203",
            "10.11.3.204",
            "10.11.3.206",
            "10.11.3.207",
            "10.11.3.208",
            "10.11.3.209",
            "10.11.3.205");
  }

  @Test
  void shouldCountARefusalForTheAddressOnlyFromAnAddressLeasedToTheMac() {
    installing();
    String before = state();

    assertThat(reports.bootRefused(NAME, "address", "", Ipv4.parse("10.11.0.2")))
        .as("iPXE holding the slot address never refuses for the address")
        .isEqualTo(NotificationOutcome.NOT_FROM_MACHINE);
    assertThat(reports.bootRefused(NAME, "address", "", Ipv4.parse("10.11.3.201")))
        .isEqualTo(NotificationOutcome.NOT_FROM_MACHINE);
    assertThat(state()).isEqualTo(before);

    assertThat(reports.bootRefused(NAME, "address", "", Ipv4.parse("10.11.3.200")))
        .isEqualTo(NotificationOutcome.RECORDED);
    assertThat(get(NAME).getStatus().getBootRefusal()).contains("slot's address");
  }

  @Test
  void shouldCountARefusalForMemoryFromTheSlotAddressOrALeasedAddressOnly() {
    installing();
    String before = state();

    assertThat(reports.bootRefused(NAME, "memory", "1", Ipv4.parse("10.11.0.3")))
        .isEqualTo(NotificationOutcome.NOT_FROM_MACHINE);
    assertThat(reports.bootRefused(NAME, "memory", "1", Ipv4.parse("10.11.3.201")))
        .isEqualTo(NotificationOutcome.NOT_FROM_MACHINE);
    assertThat(state()).isEqualTo(before);

    assertThat(reports.bootRefused(NAME, "memory", "4096", Ipv4.parse("10.11.0.2")))
        .isEqualTo(NotificationOutcome.RECORDED);
    assertThat(get(NAME).getStatus().getBootRefusal()).contains("4096 MiB");
  }

  @Test
  void shouldIgnoreABootScriptFetchFromAStrangerWithAtMostOneEventPerInstallPerMinute() {
    installing();
    NodeInstallStatus before = get(NAME).getStatus();

    for (int i = 0; i < 5; i++) {
      assertThat(reports.bootScriptServed(NAME, Ipv4.parse("10.11.0.64")))
          .isEqualTo(NotificationOutcome.NOT_FROM_MACHINE);
      assertThat(reports.bootRefused(NAME, "memory", "1", Ipv4.parse("10.11.0.64")))
          .isEqualTo(NotificationOutcome.NOT_FROM_MACHINE);
    }
    assertThat(refusedEvents()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(59));
    reports.bootScriptServed(NAME, Ipv4.parse("10.11.0.64"));
    assertThat(refusedEvents()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    reports.bootScriptServed(NAME, Ipv4.parse("10.11.0.64"));
    assertThat(refusedEvents()).isEqualTo(2);

    assertThat(get(NAME).getStatus().getBootScriptServedAt()).isNull();
    assertThat(get(NAME).getStatus().getPhase()).isEqualTo(before.getPhase());

    assertThat(reports.bootScriptServed(NAME, Ipv4.parse("10.11.0.2")))
        .isEqualTo(NotificationOutcome.RECORDED);
    assertThat(get(NAME).getStatus().getBootScriptServedAt()).isNotNull();
  }

  @Test
  void shouldAnswerUnknownInstallForANotificationAboutNobody() {
    assertThat(reports.bootScriptServed(NAME, Ipv4.parse("10.11.0.2")))
        .isEqualTo(NotificationOutcome.UNKNOWN_INSTALL);
    assertThat(reports.bootRefused(NAME, "memory", "1", Ipv4.parse("10.11.0.2")))
        .isEqualTo(NotificationOutcome.UNKNOWN_INSTALL);
  }

  @Test
  void shouldIgnoreAMacOutsideTheAllowListAndOneOnBothLists() {
    InstallReports allowing =
        new InstallReports(
            api.client(),
            OperatorSettings.defaults()
                .with(
                    Map.of(
                        "allowList",
                        List.of("52:54:00"),
                        "denyList",
                        List.of("52:54:00:00:00:0b"))),
            new Conditions(clock),
            new EventRecorder(api.client(), clock));

    assertThat(allowing.discovered(lease("10.11.3.200")))
        .isInstanceOf(DiscoveryOutcome.Registered.class);
    DiscoveryReport stranger =
        new DiscoveryReport(
            Mac.parse("02:00:00:00:00:01"), Ipv4.parse("10.11.3.201"), ClientType.PXE, null, null);
    DiscoveryReport denied =
        new DiscoveryReport(
            Mac.parse("52:54:00:00:00:0b"), Ipv4.parse("10.11.3.202"), ClientType.PXE, null, null);
    assertThat(allowing.discovered(stranger))
        .isEqualTo(new DiscoveryOutcome.Ignored("MAC is not on the allow-list"));
    assertThat(allowing.discovered(denied))
        .isEqualTo(new DiscoveryOutcome.Ignored("MAC is on the deny-list"));
    assertThat(api.client().resources(NodeInstall.class).inNamespace(NS).list().getItems())
        .extracting(ni -> ni.getMetadata().getName())
        .containsExactly(NAME);
  }

  private static final String NAME = "52-54-00-00-00-0a";

  private static DiscoveryReport lease(String address) {
    return new DiscoveryReport(
        Mac.parse("52:54:00:00:00:0a"), Ipv4.parse(address), ClientType.PXE, "bios", "vmbr0");
  }

  /** Installing on slot peach-beach at 10.11.0.2, discovered on pool address 10.11.3.200. */
  private void installing() {
    reports.discovered(lease("10.11.3.200"));
    NodeInstall install = get(NAME);
    install.getSpec().setSlot("peach-beach");
    install.getMetadata().setLabels(Map.of(ApiConstants.LABEL_ADDRESS, "10.11.0.2"));
    install = api.client().resource(install).update();
    install.getStatus().setPhase(NodeInstallPhase.Installing);
    install.getStatus().setAddress("10.11.0.2");
    api.client().resource(install).updateStatus();
  }

  private NodeInstall get(String name) {
    return api.client().resources(NodeInstall.class).inNamespace(NS).withName(name).get();
  }

  private long refusedEvents() {
    return lan.homelab.pxe.Fixtures.eventReasons(api.client(), NAME).stream()
        .filter("NotificationRefused"::equals)
        .count();
  }

  private String state() {
    NodeInstall install = get(NAME);
    return install.getSpec().getMac()
        + "|"
        + install.getSpec().getSlot()
        + "|"
        + install.getStatus().getPhase()
        + "|"
        + install.getStatus().getBootRefusal()
        + "|"
        + install.getStatus().getBootScriptServedAt()
        + "|"
        + install.getMetadata().getResourceVersion();
  }
}
