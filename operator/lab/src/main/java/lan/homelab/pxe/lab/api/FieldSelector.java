package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field selector ({@code involvedObject.name=x,type!=Normal}) evaluated on an object's JSON:
 * equality and inequality on dotted paths; a missing field reads as the empty string.
 */
final class FieldSelector {
  private record Requirement(String path, String value, boolean equal) {}

  private final List<Requirement> requirements;

  private FieldSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Parses the decoded selector; throws IllegalArgumentException on a term it cannot read. */
  static FieldSelector parse(String selector) {
    List<Requirement> requirements = new ArrayList<>();
    if (selector != null) {
      for (String term : selector.split(",")) {
        term = term.strip();
        if (term.isEmpty()) {
          continue;
        }
        int ne = term.indexOf("!=");
        int eq = term.indexOf('=');
        if (ne > 0) {
          requirements.add(new Requirement(term.substring(0, ne), term.substring(ne + 2), false));
        } else if (eq > 0) {
          String value = term.substring(eq + 1);
          if (value.startsWith("=")) {
            value = value.substring(1);
          }
          requirements.add(new Requirement(term.substring(0, eq), value, true));
        } else {
          throw new IllegalArgumentException("invalid field selector term: " + term);
        }
      }
    }
    return new FieldSelector(requirements);
  }

  boolean isEmpty() {
    return requirements.isEmpty();
  }

  boolean matches(JsonNode object) {
    for (Requirement r : requirements) {
      JsonNode value = Json.at(object, "." + r.path());
      String actual = value == null ? "" : value.asText();
      if (actual.equals(r.value()) != r.equal()) {
        return false;
      }
    }
    return true;
  }
}
