package lan.homelab.pxe.answer;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.Toml;

/**
 * Writes an answer tree as TOML, deterministically: the known sections in the installer's order
 * (global, network, disk-setup, post-installation-webhook, first-boot, then others sorted), inside
 * a table its plain keys sorted, then its sub-tables as {@code [a.b]} sections, sorted.
 */
final class TomlWriter {
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private TomlWriter() {}

  static String write(Map<String, Object> tree) {
    StringBuilder out = new StringBuilder();
    List<String> sections = new ArrayList<>();
    for (String name : AnswerSchema.SECTION_ORDER) {
      if (tree.containsKey(name)) {
        sections.add(name);
      }
    }
    tree.keySet().stream().sorted().filter(k -> !sections.contains(k)).forEach(sections::add);
    for (String name : sections) {
      if (!(tree.get(name) instanceof Map<?, ?>)) {
        // a top-level plain value belongs to no answer schema; written so the validator names it
        out.append(key(name)).append(" = ").append(value(tree.get(name))).append('\n');
      }
    }
    for (String name : sections) {
      if (tree.get(name) instanceof Map<?, ?> map) {
        writeTable(out, List.of(name), AnswerTree.cast(map));
      }
    }
    return out.toString();
  }

  private static void writeTable(StringBuilder out, List<String> path, Map<String, Object> table) {
    if (out.length() > 0) {
      out.append('\n');
    }
    out.append('[').append(String.join(".", path.stream().map(TomlWriter::key).toList()));
    out.append("]\n");
    List<String> keys = table.keySet().stream().sorted().toList();
    for (String k : keys) {
      Object v = table.get(k);
      if (!(v instanceof Map<?, ?>)) {
        out.append(key(k)).append(" = ").append(value(v)).append('\n');
      }
    }
    for (String k : keys) {
      if (table.get(k) instanceof Map<?, ?> sub) {
        List<String> child = new ArrayList<>(path);
        child.add(k);
        writeTable(out, child, AnswerTree.cast(sub));
      }
    }
  }

  static String key(String key) {
    return BARE_KEY.matcher(key).matches() ? key : quote(key);
  }

  static String value(Object v) {
    if (v instanceof String s) {
      return quote(s);
    }
    if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
      return v.toString();
    }
    if (v instanceof Double d) {
      return number(d);
    }
    if (v instanceof List<?> list) {
      List<String> items = new ArrayList<>();
      list.forEach(item -> items.add(value(item)));
      return "[" + String.join(", ", items) + "]";
    }
    if (v instanceof Map<?, ?> map) {
      List<String> items = new ArrayList<>();
      AnswerTree.cast(map).entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> items.add(key(e.getKey()) + " = " + value(e.getValue())));
      return "{ " + String.join(", ", items) + " }";
    }
    // TOML dates and times: their ISO form is also their TOML form
    return String.valueOf(v);
  }

  private static String number(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    String plain = BigDecimal.valueOf(d).toPlainString();
    return plain.contains(".") ? plain : plain + ".0";
  }

  static String quote(String s) {
    return "\"" + Toml.tomlEscape(s) + "\"";
  }
}
