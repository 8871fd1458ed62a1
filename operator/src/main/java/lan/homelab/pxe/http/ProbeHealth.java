package lan.homelab.pxe.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the kubelet's probes are told. Ready ({@code /readyz}): the operator has started and every
 * event source (the informers of both reconcilers) is healthy, that is, watching the API server; a
 * replica that is not gets no traffic. Live ({@code /healthz}): it has not been unready for {@link
 * #UNREADY_BEFORE_RESTART} in a row, so a short API outage makes the operator unready but does not
 * get it restarted, while one whose informers never recover is.
 */
public final class ProbeHealth {
  /** How long the operator may be unready before liveness fails. */
  public static final Duration UNREADY_BEFORE_RESTART = Duration.ofMinutes(5);

  private final BooleanSupplier started;
  private final Supplier<Collection<String>> unhealthySources;
  private final Clock clock;
  private Instant unreadySince;

  /**
   * @param started whether the operator has started
   * @param unhealthySources the names of the event sources that are not healthy now
   */
  public ProbeHealth(
      BooleanSupplier started, Supplier<Collection<String>> unhealthySources, Clock clock) {
    this.started = started;
    this.unhealthySources = unhealthySources;
    this.clock = clock;
  }

  /** Why the operator is not ready; empty when it is. */
  public synchronized List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!started.getAsBoolean()) {
      problems.add("the operator has not started");
    } else {
      unhealthySources.get().forEach(s -> problems.add("event source " + s + " is not healthy"));
    }
    Instant now = clock.instant();
    if (problems.isEmpty()) {
      unreadySince = null;
    } else if (unreadySince == null || now.isBefore(unreadySince)) {
      unreadySince = now;
    }
    return problems;
  }

  public boolean ready() {
    return problems().isEmpty();
  }

  /** False once the operator has been unready for {@link #UNREADY_BEFORE_RESTART} in a row. */
  public synchronized boolean live() {
    problems();
    return unreadySince == null
        || Duration.between(unreadySince, clock.instant()).compareTo(UNREADY_BEFORE_RESTART) < 0;
  }
}
