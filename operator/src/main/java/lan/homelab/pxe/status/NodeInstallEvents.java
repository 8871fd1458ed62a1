package lan.homelab.pxe.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The newest Event about each NodeInstall, from an informer on the namespace's core/v1 Events (list
 * and watch; every replica runs one), so showing them costs no API call per request. Events are few
 * (the API server deletes them after an hour); those about other kinds are held too, since the
 * fabric8 mock the tests use cannot select by {@code involvedObject.kind}, but never indexed.
 * Before the first list completed, or while the Role forbids it, no install has a newest Event.
 */
public final class NodeInstallEvents implements AutoCloseable {
  private static final String BY_INSTALL = "nodeinstall";

  /** Newest last: by lastTimestamp (eventTime, creation as fallbacks), then resourceVersion. */
  private static final Comparator<Event> ORDER =
      Comparator.comparing(NodeInstallEvents::time, Comparator.nullsFirst(String::compareTo))
          .thenComparingLong(NodeInstallEvents::resourceVersion);

  private final SharedIndexInformer<Event> informer;

  private NodeInstallEvents(SharedIndexInformer<Event> informer) {
    this.informer = informer;
  }

  /** Starts the informer without waiting for its first list. */
  public static NodeInstallEvents start(KubernetesClient client, String namespace) {
    SharedIndexInformer<Event> informer =
        client.v1().events().inNamespace(namespace).runnableInformer(0);
    informer.addIndexers(
        Map.of(
            BY_INSTALL,
            e ->
                e.getInvolvedObject() != null
                        && "NodeInstall".equals(e.getInvolvedObject().getKind())
                        && e.getInvolvedObject().getName() != null
                    ? List.of(e.getInvolvedObject().getName())
                    : List.of()));
    informer.start();
    return new NodeInstallEvents(informer);
  }

  /** The newest Event about this NodeInstall in the cache. */
  public Optional<Event> newest(String nodeInstall) {
    return informer.getIndexer().byIndex(BY_INSTALL, nodeInstall).stream().max(ORDER);
  }

  /** When the Event last happened, as Kubernetes writes times. */
  public static String time(Event e) {
    if (e.getLastTimestamp() != null) {
      return e.getLastTimestamp();
    }
    if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
      return e.getEventTime().getTime();
    }
    return e.getMetadata().getCreationTimestamp();
  }

  private static long resourceVersion(Event e) {
    try {
      return Long.parseLong(Objects.requireNonNullElse(e.getMetadata().getResourceVersion(), "0"));
    } catch (NumberFormatException notNumeric) {
      return 0;
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
