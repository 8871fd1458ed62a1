package lan.homelab.pxe.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Builds standard conditions in one place: replaces a condition by type, keeps its {@code
 * lastTransitionTime} while its status stays the same, and keeps the list sorted by type.
 */
public final class Conditions {
  private final Clock clock;

  public Conditions(Clock clock) {
    this.clock = clock;
  }

  /** Now, to the second, as Kubernetes writes times. */
  public String now() {
    return timestamp(clock.instant());
  }

  public static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  public Clock clock() {
    return clock;
  }

  /** A copy of {@code current} with the condition of this type set. */
  public List<Condition> set(
      List<Condition> current,
      String type,
      boolean status,
      String reason,
      String message,
      Long observedGeneration) {
    List<Condition> result = new ArrayList<>();
    Condition previous = null;
    for (Condition c : current == null ? List.<Condition>of() : current) {
      if (type.equals(c.getType())) {
        previous = c;
      } else {
        result.add(c);
      }
    }
    String statusText = status ? "True" : "False";
    String transition =
        previous != null && statusText.equals(previous.getStatus())
            ? previous.getLastTransitionTime()
            : now();
    result.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(statusText)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(observedGeneration)
            .withLastTransitionTime(transition)
            .build());
    result.sort(Comparator.comparing(Condition::getType));
    return result;
  }

  /** The condition of this type, or null. */
  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream()
        .filter(c -> Objects.equals(type, c.getType()))
        .findFirst()
        .orElse(null);
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && "True".equals(c.getStatus());
  }
}
