package lan.homelab.pxe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The operator's Prometheus metrics; {@link #scrape()} is what {@code /metrics} serves. */
public class PxeMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter claims =
      Counter.builder("pxe_claims").description("Slots claimed").register(registry);
  private final Timer claimLatency =
      Timer.builder("pxe_claim_latency")
          .description("Time from discovery to claim")
          .publishPercentileHistogram()
          .register(registry);

  private final Counter discoveriesOverBound =
      Counter.builder("pxe_discoveries_over_bound")
          .description(
              "New PXE MACs not registered because maxUnclaimedInstalls NodeInstalls hold no slot")
          .register(registry);
  private final AtomicLong unclaimed = new AtomicLong();
  private final AtomicLong unclaimedBound = new AtomicLong();

  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

  public PxeMetrics() {
    Gauge.builder("pxe_unclaimed_installs", unclaimed, AtomicLong::doubleValue)
        .description("NodeInstalls from the DHCP intake that hold no slot")
        .register(registry);
    Gauge.builder("pxe_unclaimed_installs_bound", unclaimedBound, AtomicLong::doubleValue)
        .description("maxUnclaimedInstalls: beyond it a new PXE MAC is not registered")
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void claimed(Duration sinceDiscovery) {
    claims.increment();
    claimLatency.record(sinceDiscovery.isNegative() ? Duration.ZERO : sinceDiscovery);
  }

  public void webhook(String outcome) {
    registry.counter("pxe_webhooks", "outcome", outcome).increment();
  }

  public void dhcpEvent(String outcome) {
    registry.counter("pxe_dhcp_events", "outcome", outcome).increment();
  }

  /** Counter {@code pxe_notifications{kind, outcome}}: boot-script-served and boot-refused. */
  public void notification(String kind, String outcome) {
    registry.counter("pxe_notifications", "kind", kind, "outcome", outcome).increment();
  }

  public void discoveryOverBound() {
    discoveriesOverBound.increment();
  }

  public void unclaimedInstalls(long count) {
    unclaimed.set(count);
  }

  public void unclaimedBound(long bound) {
    unclaimedBound.set(bound);
  }

  public void answerServed(String outcome) {
    registry.counter("pxe_answers_served", "outcome", outcome).increment();
  }

  /** Sets gauge {@code pxe_slots{phase}} to these counts (refreshed on each scrape). */
  public void slotsByPhase(Map<String, Long> counts) {
    counts.forEach((phase, n) -> gauge("pxe_slots", "Slots by phase", phase).set(n));
  }

  /** Sets gauge {@code pxe_installs{phase}} to these counts (refreshed on each scrape). */
  public void installsByPhase(Map<String, Long> counts) {
    counts.forEach((phase, n) -> gauge("pxe_installs", "NodeInstalls by phase", phase).set(n));
  }

  private AtomicLong gauge(String name, String description, String phase) {
    return gauges.computeIfAbsent(
        name + "/" + phase,
        key -> {
          AtomicLong value = new AtomicLong();
          Gauge.builder(name, value, AtomicLong::doubleValue)
              .description(description)
              .tag("phase", phase)
              .register(registry);
          return value;
        });
  }

  public String scrape() {
    return registry.scrape();
  }
}
