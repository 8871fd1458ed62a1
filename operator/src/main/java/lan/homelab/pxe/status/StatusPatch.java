package lan.homelab.pxe.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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

  /** Patches {@code resource}'s status from {@code before} to {@code after}; no-op if equal. */
  public static void apply(
      KubernetesClient client, HasMetadata resource, Object before, Object after) {
    JsonNode from = JSON.valueToTree(before == null ? Map.of() : before);
    JsonNode to = JSON.valueToTree(after);
    var target =
        client
            .resource(resource)
            .inNamespace(resource.getMetadata().getNamespace())
            .subresource("status");
    if (from.isEmpty()) {
      ObjectNode merge = JSON.createObjectNode();
      merge.set("status", to);
      target.patch(PatchContext.of(PatchType.JSON_MERGE), merge.toString());
      return;
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
    if (!ops.isEmpty()) {
      target.patch(PatchContext.of(PatchType.JSON), ops.toString());
    }
  }
}
