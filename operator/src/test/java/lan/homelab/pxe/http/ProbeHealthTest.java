package lan.homelab.pxe.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import lan.homelab.pxe.TestClock;
import org.junit.jupiter.api.Test;

class ProbeHealthTest {
  private final AtomicBoolean started = new AtomicBoolean(true);
  private final AtomicReference<List<String>> unhealthy = new AtomicReference<>(List.of());
  private final TestClock clock = new TestClock();
  private final ProbeHealth health = new ProbeHealth(started::get, unhealthy::get, clock);

  @Test
  void shouldBeReadyOnlyWhileStartedWithEveryEventSourceHealthy() {
    assertThat(health.ready()).isTrue();

    unhealthy.set(List.of("nodeinstall/install-tokens"));
    assertThat(health.ready()).isFalse();
    assertThat(health.problems())
        .containsExactly("event source nodeinstall/install-tokens is not healthy");

    unhealthy.set(List.of());
    started.set(false);
    assertThat(health.problems()).containsExactly("the operator has not started");
  }

  @Test
  void shouldStayLiveThroughAShortOutageAndFailAfterTheGrace() {
    unhealthy.set(List.of("provisioningslot/ControllerEventSource"));
    assertThat(health.ready()).isFalse();
    assertThat(health.live()).isTrue();

    clock.advance(ProbeHealth.UNREADY_BEFORE_RESTART.minusSeconds(1));
    assertThat(health.live()).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(health.live()).isFalse();

    unhealthy.set(List.of());
    assertThat(health.live()).isTrue();
    unhealthy.set(List.of("provisioningslot/ControllerEventSource"));
    clock.advance(Duration.ofMinutes(1));
    assertThat(health.live()).as("the grace counts again from the new outage").isTrue();
  }
}
