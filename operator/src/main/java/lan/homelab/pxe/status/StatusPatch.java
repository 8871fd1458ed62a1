package lan.homelab.pxe.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.EnumSet;
import java.util.Map;

/**
 * Writes the fields of a status that a reconciler changed, and only those: a JSON patch from the
 * status it read to the one it computed, so fields other writers set meanwhile (the reports of
 * {@link lan.homelab.pxe.install.InstallReports}) survive. The patch uses only add and remove
 * operations (no copy or move, whose source another writer may have changed); a status seen empty
 * is written as a merge patch, which keeps whatever another writer put there first.
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
    ObjectNode wrappedFrom = JSON.createObjectNode();
    wrappedFrom.set("status", from);
    ObjectNode wrappedTo = JSON.createObjectNode();
    wrappedTo.set("status", to);
    ArrayNode ops =
        (ArrayNode)
            JsonDiff.asJson(
                wrappedFrom,
                wrappedTo,
                EnumSet.of(DiffFlags.OMIT_COPY_OPERATION, DiffFlags.OMIT_MOVE_OPERATION));
    if (ops.isEmpty()) {
      return;
    }
    for (JsonNode op : ops) {
      if ("replace".equals(op.get("op").asText())) {
        ((ObjectNode) op).put("op", "add");
      }
    }
    target.patch(PatchContext.of(PatchType.JSON), ops.toString());
  }
}
