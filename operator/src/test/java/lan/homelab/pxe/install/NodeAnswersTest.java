package lan.homelab.pxe.install;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.TestClock;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.status.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeAnswersTest {
  private final MockApi api = new MockApi(NS);
  private final AtomicLong nanos = new AtomicLong();
  private final TestClock clock = new TestClock();
  private final NodeAnswers answers =
      new NodeAnswers(
          api.client(),
          OperatorSettings.defaults(),
          clock,
          new EventRecorder(api.client(), clock),
          () -> null,
          nanos::get);

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void shouldForgetTheVerdictOfASlotNobodyAsksAboutAnyMore() {
    ProvisioningSlot kept = Fixtures.create(api.client(), Fixtures.slot("kept", "10.11.0.2", null));
    ProvisioningSlot deleted =
        Fixtures.create(api.client(), Fixtures.slot("deleted", "10.11.0.3", null));
    assertThat(answers.problems(kept)).isEmpty();
    assertThat(answers.problems(deleted)).isEmpty();
    assertThat(answers.verdictsRemembered()).isEqualTo(2);

    for (Duration passed = Duration.ZERO;
        passed.compareTo(NodeAnswers.VERDICT_MEMORY) <= 0;
        passed = passed.plusSeconds(30)) {
      nanos.addAndGet(Duration.ofSeconds(30).toNanos());
      answers.problems(kept);
    }

    assertThat(answers.verdictsRemembered()).isOne();
  }
}
