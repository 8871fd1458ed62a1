package lan.homelab.pxe.status;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about custom resources, so {@code kubectl describe} tells the story. A
 * failure to write an Event is logged, never thrown: Events are for people, not for state.
 */
public class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private static final String COMPONENT = "pxe-operator";

  private final KubernetesClient client;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong();

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String ns = about.getMetadata().getNamespace();
    String now = Conditions.timestamp(clock.instant());
    String name =
        about.getMetadata().getName()
            + "."
            + Long.toHexString(clock.millis()).toLowerCase(Locale.ROOT)
            + Long.toHexString(sequence.incrementAndGet());
    log.info(
        "{} {}/{}: {} {}", type, about.getKind(), about.getMetadata().getName(), reason, message);
    try {
      client
          .v1()
          .events()
          .inNamespace(ns)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(about.getApiVersion())
                          .withKind(about.getKind())
                          .withName(about.getMetadata().getName())
                          .withNamespace(ns)
                          .withUid(about.getMetadata().getUid())
                          .build())
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      log.warn(
          "could not record event {} on {}: {}",
          reason,
          about.getMetadata().getName(),
          e.getMessage());
    }
  }
}
