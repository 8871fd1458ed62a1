package lan.homelab.pxe.install;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.TestClock;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
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
    install.getMetadata().setName("52-54-00-00-00-0a");
    install.getMetadata().setNamespace(NS);
    NodeInstallSpec spec = new NodeInstallSpec();
    spec.setMac("52:54:00:00:00:0a");
    spec.setSlot("peach-beach");
    install.setSpec(spec);
    api.client().resource(install).create();

    assertThat(reports.bootScriptServed("52-54-00-00-00-0a")).isTrue();

    assertThat(
            api.client()
                .resources(NodeInstall.class)
                .inNamespace(NS)
                .withName("52-54-00-00-00-0a")
                .get()
                .getStatus()
                .getBootScriptServedAt())
        .isNotNull();
  }
}
