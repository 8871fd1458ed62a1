package lan.homelab.pxe.answer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Answers as plain trees (sorted maps of String, Long, Double, Boolean, List and Map): parsing with
 * tomlj, spelling normalization to kebab-case, the layered merge and re-spelling for an installer.
 */
final class AnswerTree {
  private AnswerTree() {}

  /** A parsed document, or the syntax errors that stopped it. */
  record Parsed(Map<String, Object> tree, List<AnswerProblem> problems) {}

  /** Parses TOML text; {@code source} names the text in problems ("template", "toml", …). */
  static Parsed parse(String toml, String source) {
    TomlParseResult result = Toml.parse(toml == null ? "" : toml);
    if (result.hasErrors()) {
      List<AnswerProblem> problems = new ArrayList<>();
      for (TomlParseError e : result.errors()) {
        problems.add(
            new AnswerProblem(
                source, AnswerRules.TOML_SYNTAX, "TOML parse error: " + e.toString()));
      }
      return new Parsed(new TreeMap<>(), problems);
    }
    return new Parsed(toTree(result), List.of());
  }

  static Map<String, Object> toTree(TomlTable table) {
    Map<String, Object> tree = new TreeMap<>();
    for (String key : table.keySet()) {
      tree.put(key, toValue(table.get(List.of(key))));
    }
    return tree;
  }

  private static Object toValue(Object value) {
    if (value instanceof TomlTable t) {
      return toTree(t);
    }
    if (value instanceof TomlArray a) {
      List<Object> list = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        list.add(toValue(a.get(i)));
      }
      return list;
    }
    return value;
  }

  /**
   * Renames every known key to its kebab-case spelling (any version's spelling is accepted) and
   * reports a key given in both spellings; unknown keys are kept as they are.
   */
  static Map<String, Object> normalize(
      Map<String, Object> tree, String source, List<AnswerProblem> problems) {
    return normalize(tree, AnswerSchema.ROOT, source, problems);
  }

  private static Map<String, Object> normalize(
      Map<String, Object> tree,
      AnswerSchema.Table table,
      String source,
      List<AnswerProblem> problems) {
    Map<String, Object> out = new TreeMap<>();
    for (Map.Entry<String, Object> e : tree.entrySet()) {
      AnswerSchema.Field field = table == null ? null : table.find(e.getKey());
      String key = field == null ? e.getKey() : field.kebab();
      Object value = e.getValue();
      if (field != null && field.table() != null && value instanceof Map<?, ?> map) {
        value = normalize(cast(map), field.table(), source, problems);
      }
      if (out.containsKey(key)) {
        problems.add(
            new AnswerProblem(
                table == null ? key : join(table.path(), key),
                AnswerRules.DUPLICATE_FIELD,
                source + ": duplicate field `" + key + "`"));
      }
      out.put(key, value);
    }
    return out;
  }

  /**
   * Layers {@code top} over {@code base}: tables merge key by key, other values replace; the {@code
   * [disk-setup]} table is replaced as a whole.
   */
  static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> top) {
    return merge(base, top, "");
  }

  private static Map<String, Object> merge(
      Map<String, Object> base, Map<String, Object> top, String path) {
    Map<String, Object> out = deepCopy(base);
    for (Map.Entry<String, Object> e : top.entrySet()) {
      String child = join(path, e.getKey());
      Object mine = out.get(e.getKey());
      if (mine instanceof Map<?, ?> a
          && e.getValue() instanceof Map<?, ?> b
          && !child.equals("disk-setup")) {
        out.put(e.getKey(), merge(cast(a), cast(b), child));
      } else {
        out.put(e.getKey(), deepCopyValue(e.getValue()));
      }
    }
    return out;
  }

  /** The tree with every known key in the spelling the installer line prefers. */
  static Map<String, Object> spell(Map<String, Object> tree, InstallerVersion v) {
    return spell(tree, AnswerSchema.ROOT, v);
  }

  private static Map<String, Object> spell(
      Map<String, Object> tree, AnswerSchema.Table table, InstallerVersion v) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : tree.entrySet()) {
      AnswerSchema.Field field = table == null ? null : table.find(e.getKey());
      String key = field == null ? e.getKey() : field.preferred(v);
      Object value = e.getValue();
      if (value instanceof Map<?, ?> map) {
        value = spell(cast(map), field == null ? null : field.table(), v);
      }
      out.put(key, value);
    }
    return out;
  }

  /** Value at a dotted kebab path, or null. */
  static Object get(Map<String, Object> tree, String... path) {
    Object node = tree;
    for (String part : path) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(part);
    }
    return node;
  }

  /** Sets a value at a path, creating tables on the way. */
  static void put(Map<String, Object> tree, Object value, String... path) {
    Map<String, Object> node = tree;
    for (int i = 0; i < path.length - 1; i++) {
      Object next = node.get(path[i]);
      if (!(next instanceof Map<?, ?>)) {
        next = new TreeMap<String, Object>();
        node.put(path[i], next);
      }
      node = cast((Map<?, ?>) next);
    }
    node.put(path[path.length - 1], value);
  }

  static void remove(Map<String, Object> tree, String... path) {
    Object parent = path.length == 1 ? tree : get(tree, Arrays.copyOf(path, path.length - 1));
    if (parent instanceof Map<?, ?> map) {
      map.remove(path[path.length - 1]);
    }
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  static Map<String, Object> deepCopy(Map<String, Object> tree) {
    Map<String, Object> out = new TreeMap<>();
    tree.forEach((k, v) -> out.put(k, deepCopyValue(v)));
    return out;
  }

  private static Object deepCopyValue(Object value) {
    if (value instanceof Map<?, ?> m) {
      return deepCopy(cast(m));
    }
    if (value instanceof List<?> l) {
      List<Object> copy = new ArrayList<>();
      l.forEach(item -> copy.add(deepCopyValue(item)));
      return copy;
    }
    return value;
  }
}
