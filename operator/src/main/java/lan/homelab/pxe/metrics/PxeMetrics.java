package lan.homelab.pxe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

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

  public void answerServed(String outcome) {
    registry.counter("pxe_answers_served", "outcome", outcome).increment();
  }

  public String scrape() {
    return registry.scrape();
  }
}
