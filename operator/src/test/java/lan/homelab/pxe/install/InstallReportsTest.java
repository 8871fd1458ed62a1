package lan.homelab.pxe.install;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.TestClock;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
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
  void shouldListInstallsAtMostOnceASecondUnderAFloodOfAnswerRequests() {
    int before = api.requestCount();

    for (int i = 0; i < 200; i++) {
      assertThat(reports.installingAt(Ipv4.parse("10.11.0.2"))).isEmpty();
    }
    int afterFlood = api.requestCount();
    clock.advance(Duration.ofMillis(1001));
    reports.installingAt(Ipv4.parse("10.11.0.2"));

    assertThat(afterFlood - before).isEqualTo(1);
    assertThat(api.requestCount() - afterFlood).isEqualTo(1);
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
