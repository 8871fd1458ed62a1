package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the patch kinds the mock store cannot apply correctly into a JSON patch it can: JSON merge
 * patches (RFC 7386; the store appends to lists and keeps nulls), strategic merge patches (applied
 * as merge patches: lists are replaced, not merged by key; {@code $} directives are dropped) and
 * server-side apply (YAML applied as a merge patch: no field ownership, conflicts or removals).
 */
final class PatchTranslator {
  static final String JSON_PATCH = "application/json-patch+json";
  static final String MERGE_PATCH = "application/merge-patch+json";
  static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  static final String APPLY_PATCH = "application/apply-patch+yaml";

  private PatchTranslator() {}

  /** Whether the front translates this content type (a JSON patch goes to the store as is). */
  static boolean translates(String contentType) {
    String type = mediaType(contentType);
    return type.equals(MERGE_PATCH) || type.equals(STRATEGIC_MERGE_PATCH) || isApply(type);
  }

  static boolean isApply(String contentType) {
    return mediaType(contentType).equals(APPLY_PATCH);
  }

  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .strip()
        .toLowerCase(Locale.ROOT);
  }

  /** The patch document of a translated request as JSON (apply bodies are YAML or JSON). */
  static JsonNode patchDocument(String contentType, String body) {
    JsonNode patch = isApply(contentType) ? Json.parseYaml(body) : Json.parse(body);
    if (patch == null || !patch.isObject()) {
      throw new IllegalArgumentException("patch body must be a JSON object");
    }
    if (mediaType(contentType).equals(STRATEGIC_MERGE_PATCH)) {
      patch = withoutDirectives(patch);
    }
    return patch;
  }

  /** The JSON patch that turns {@code current} into {@code current} merged with {@code patch}. */
  static JsonNode toJsonPatch(JsonNode current, JsonNode patch) {
    return JsonDiff.asJson(current, mergePatch(current, patch));
  }

  /** RFC 7386: objects merge recursively, null removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
    List<String> names = new ArrayList<>();
    patch.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode value = patch.get(name);
      if (value.isNull()) {
        result.remove(name);
      } else {
        result.set(name, mergePatch(result.get(name), value));
      }
    }
    return result;
  }

  private static JsonNode withoutDirectives(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = Json.object();
      node.fields()
          .forEachRemaining(
              e -> {
                if (!e.getKey().startsWith("$")) {
                  copy.set(e.getKey(), withoutDirectives(e.getValue()));
                }
              });
      return copy;
    }
    if (node.isArray()) {
      var copy = Json.MAPPER.createArrayNode();
      node.forEach(
          element -> {
            if (!(element.isObject() && element.has("$patch"))) {
              copy.add(withoutDirectives(element));
            }
          });
      return copy;
    }
    return node;
  }
}
