package lan.homelab.pxe.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;

/**
 * Strict JSON reading and typed field access: every wrong type or malformed document becomes a 400
 * {@link HttpError} naming the field.
 */
final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(65_536).build());
  }

  private Json() {}

  /** Parses a body that must be one JSON object. */
  static JsonNode object(byte[] body) {
    JsonNode node;
    try {
      node = MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw HttpError.badRequest(
          "invalid JSON: " + shorten(e.getOriginalMessage()) + " at " + location(e));
    }
    if (node == null || !node.isObject()) {
      throw HttpError.badRequest("the body must be a JSON object");
    }
    return node;
  }

  /** A string field or null when absent or JSON null; 400 for any other type. */
  static String text(JsonNode parent, String field, String path) {
    JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw HttpError.badRequest(path + field + " must be a string");
    }
    return value.asText();
  }

  /** An object field or null when absent or JSON null; 400 for any other type. */
  static JsonNode obj(JsonNode parent, String field, String path) {
    JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      throw HttpError.badRequest(path + field + " must be an object");
    }
    return value;
  }

  /** An array field or null when absent or JSON null; 400 for any other type. */
  static JsonNode array(JsonNode parent, String field, String path) {
    JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      throw HttpError.badRequest(path + field + " must be an array");
    }
    return value;
  }

  static Long integer(JsonNode parent, String field, String path) {
    JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
      throw HttpError.badRequest(path + field + " must be a non-negative integer");
    }
    return value.asLong();
  }

  static Integer smallInteger(JsonNode parent, String field, String path) {
    Long value = integer(parent, field, path);
    if (value != null && value > Integer.MAX_VALUE) {
      throw HttpError.badRequest(path + field + " is too large");
    }
    return value == null ? null : value.intValue();
  }

  static Boolean bool(JsonNode parent, String field, String path) {
    JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isBoolean()) {
      throw HttpError.badRequest(path + field + " must be true or false");
    }
    return value.asBoolean();
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? "?"
        : "line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
  }

  private static String shorten(String message) {
    String text = message == null ? "unreadable" : message.replaceAll("\\s+", " ");
    return text.length() > 160 ? text.substring(0, 160) + "..." : text;
  }
}
