package lan.homelab.pxe.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;

/**
 * Writes the fields of a status that a reconciler changed, and only those, so fields other writers
 * set meanwhile (the reports of {@link lan.homelab.pxe.install.InstallReports}) survive. Each
 * changed top-level field is written whole ({@code add}, which replaces), a dropped one is set to
 * null: no array indexes, copies or moves, so a status read from a cache that lags behind the API
 * server still patches cleanly. A status seen empty is written as a merge patch, which keeps
 * whatever another writer put there first.
 */
public final class StatusPatch {
  private static final ObjectMapper JSON =
      io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();

  private StatusPatch() {}

  /**
   * Patches a primary resource's status as {@link #apply(KubernetesClient, HasMetadata, Object,
   * Object)} does, and hands the result to JOSDK's cache of primaries, so the next reconcile sees
   * this write even when the watch event for it has not arrived yet.
   */
  public static <P extends HasMetadata> void applyAndCache(
      Context<P> context, P resource, Object before, Object after) {
    apply(context.getClient(), resource, before, after)
        .ifPresent(patched -> remember(context, resource, patched));
  }

  /**
   * Tells JOSDK's cache of primaries about a write this reconciler made: {@code written} replaces
   * {@code previous} (the version the reconcile started from) until the informer delivers its next
   * event for the object, which may still be an older version; nothing is cached when the informer
   * holds another version than {@code previous}. Every write it stands for is
   * resourceVersion-checked or a patch of fields only this reconciler owns, so a reconcile on an
   * older view is safe.
   */
  public static <P extends HasMetadata> void remember(Context<P> context, P previous, P written) {
    context
        .eventSourceRetriever()
        .getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(written), written, previous);
  }

  /**
   * Patches {@code resource}'s status from {@code before} to {@code after}.
   *
   * @return the resource as the API server returned it after the patch, or empty when nothing
   *     changed
   */
  public static <T extends HasMetadata> java.util.Optional<T> apply(
      KubernetesClient client, T resource, Object before, Object after) {
    JsonNode from = JSON.valueToTree(before == null ? Map.of() : before);
    JsonNode to = JSON.valueToTree(after);
    if (from.equals(to)) {
      return java.util.Optional.empty();
    }
    var target =
        client
            .resource(resource)
            .inNamespace(resource.getMetadata().getNamespace())
            .subresource("status");
    if (from.isEmpty()) {
      ObjectNode merge = JSON.createObjectNode();
      merge.set("status", to);
      return java.util.Optional.of(
          target.patch(PatchContext.of(PatchType.JSON_MERGE), merge.toString()));
    }
    ArrayNode ops = JSON.createArrayNode();
    java.util.Set<String> keys = new java.util.TreeSet<>();
    from.fieldNames().forEachRemaining(keys::add);
    to.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      JsonNode was = from.get(key);
      JsonNode is = to.get(key);
      if (java.util.Objects.equals(was, is)) {
        continue;
      }
      ObjectNode op = ops.addObject();
      op.put("op", "add");
      op.put("path", "/status/" + key.replace("~", "~0").replace("/", "~1"));
      op.set("value", is == null ? JSON.nullNode() : is);
    }
    if (ops.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(target.patch(PatchContext.of(PatchType.JSON), ops.toString()));
  }
}
