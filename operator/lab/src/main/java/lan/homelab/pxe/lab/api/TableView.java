package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-side printing: turns an object or a list into a {@code meta.k8s.io/v1 Table} whose columns
 * are Name, the CRD's {@code additionalPrinterColumns} (simple {@code .a.b} paths) and Age when the
 * CRD has no Age column; built-in types get Name and Age.
 */
final class TableView {
  /** One printed column: header, type, JSONPath into the object, priority (1 = -o wide only). */
  record Column(String name, String type, String jsonPath, int priority) {}

  private static final Column NAME = new Column("Name", "string", ".metadata.name", 0);
  private static final Column AGE = new Column("Age", "date", ".metadata.creationTimestamp", 0);

  /** Pseudo path of the Events' Object column: {@code kind/name} of the involved object. */
  private static final String INVOLVED_OBJECT = ".involvedObject";

  private static final List<Column> EVENT_COLUMNS =
      List.of(
          new Column("Last Seen", "date", ".lastTimestamp", 0),
          new Column("Type", "string", ".type", 0),
          new Column("Reason", "string", ".reason", 0),
          new Column("Object", "string", INVOLVED_OBJECT, 0),
          new Column("Message", "string", ".message", 0));

  private final Clock clock;

  TableView(Clock clock) {
    this.clock = clock;
  }

  /** The columns kube-apiserver would print for this resource, given the stored CRDs. */
  static List<Column> columns(ResourcePath path, List<JsonNode> crds) {
    if (path.group().isEmpty() && path.plural().equals("events")) {
      return EVENT_COLUMNS;
    }
    List<Column> columns = new ArrayList<>(List.of(NAME));
    for (JsonNode crd : crds) {
      JsonNode spec = crd.path("spec");
      if (!spec.path("group").asText().equals(path.group())
          || !spec.path("names").path("plural").asText().equals(path.plural())) {
        continue;
      }
      for (JsonNode version : spec.path("versions")) {
        if (version.path("name").asText().equals(path.version())) {
          for (JsonNode c : version.path("additionalPrinterColumns")) {
            columns.add(
                new Column(
                    c.path("name").asText(),
                    c.path("type").asText("string"),
                    c.path("jsonPath").asText(),
                    c.path("priority").asInt(0)));
          }
        }
      }
    }
    if (columns.stream().noneMatch(c -> c.name().equalsIgnoreCase("Age"))) {
      columns.add(AGE);
    }
    return columns;
  }

  /**
   * A Table for a single object or for a list's items; {@code includeObject} is None, Metadata (the
   * default) or Object, as in the {@code includeObject} query parameter.
   */
  ObjectNode table(JsonNode objectOrList, List<Column> columns, String includeObject) {
    ObjectNode table = Json.object();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    String resourceVersion = objectOrList.path("metadata").path("resourceVersion").asText("");
    if (!resourceVersion.isEmpty()) {
      metadata.put("resourceVersion", resourceVersion);
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    for (Column c : columns) {
      ObjectNode d = definitions.addObject();
      d.put("name", c.name());
      d.put("type", c.type().equals("date") ? "string" : c.type());
      d.put("format", c == NAME ? "name" : "");
      d.put("description", c == NAME ? "Name of the object" : c.jsonPath());
      d.put("priority", c.priority());
    }
    ArrayNode rows = table.putArray("rows");
    if (objectOrList.has("items")) {
      objectOrList.path("items").forEach(item -> rows.add(row(item, columns, includeObject)));
    } else {
      rows.add(row(objectOrList, columns, includeObject));
    }
    return table;
  }

  private ObjectNode row(JsonNode object, List<Column> columns, String includeObject) {
    ObjectNode row = Json.object();
    ArrayNode cells = row.putArray("cells");
    for (Column c : columns) {
      JsonNode value = Json.at(object, c.jsonPath());
      if (c.jsonPath().equals(INVOLVED_OBJECT)) {
        cells.add(
            value == null
                ? ""
                : value.path("kind").asText().toLowerCase(java.util.Locale.ROOT)
                    + "/"
                    + value.path("name").asText());
      } else if (value == null) {
        cells.addNull();
      } else if (c.type().equals("date")) {
        cells.add(age(value.asText()));
      } else {
        cells.add(value);
      }
    }
    switch (includeObject == null ? "Metadata" : includeObject) {
      case "None" -> {}
      case "Object" -> row.set("object", object);
      default -> {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", object.path("metadata").deepCopy());
      }
    }
    return row;
  }

  private String age(String timestamp) {
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), clock.instant()));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  /** kubectl's short duration style: 45s, 3m20s, 15m, 5h10m, 2d3h, 400d, 3y10d. */
  static String humanDuration(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < -1) {
      return "<invalid>";
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    }
    if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    }
    if (hours < 48) {
      return hours + "h";
    }
    long days = hours / 24;
    if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? days + "d" : days + "d" + h + "h";
    }
    if (days < 365 * 2) {
      return days + "d";
    }
    long years = days / 365;
    if (days < 365 * 8) {
      long dy = days % 365;
      return dy == 0 ? years + "y" : years + "y" + dy + "d";
    }
    return years + "y";
  }
}
