package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.UncheckedIOException;

/** JSON and YAML parsing and the Kubernetes {@code Status} bodies the front answers with. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Json() {}

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  static JsonNode parseYaml(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not YAML: " + e.getOriginalMessage(), e);
    }
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A {@code meta.k8s.io Status} failure as kube-apiserver sends it. */
  static ObjectNode status(int code, String reason, String message) {
    ObjectNode status = object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    return status;
  }

  /** The value at a simple JSONPath such as {@code .status.phase} or {@code .items[0].name}. */
  static JsonNode at(JsonNode node, String jsonPath) {
    JsonNode current = node;
    for (String part : jsonPath.replace("[", ".[").split("\\.")) {
      if (part.isEmpty()) {
        continue;
      }
      if (current == null || current.isMissingNode() || current.isNull()) {
        return null;
      }
      if (part.startsWith("[") && part.endsWith("]")) {
        String index = part.substring(1, part.length() - 1);
        if (!index.matches("\\d+")) {
          return null;
        }
        current = current.get(Integer.parseInt(index));
      } else {
        current = current.get(part);
      }
    }
    return current == null || current.isMissingNode() || current.isNull() ? null : current;
  }
}
