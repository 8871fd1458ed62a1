package lan.homelab.pxe.chart;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds fields a fabric8 model object did not know: Jackson puts them into additionalProperties, so
 * a misspelt or misplaced key in a template would otherwise pass unnoticed.
 */
final class UnknownFields {
  private UnknownFields() {}

  /** Paths like "spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem". */
  static List<String> in(Object object) {
    List<String> found = new ArrayList<>();
    walk(object, "", found, new IdentityHashMap<>());
    return found;
  }

  private static void walk(Object node, String path, List<String> found, Map<Object, Object> seen) {
    if (node == null || seen.put(node, node) != null) {
      return;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      for (var entry : map.entrySet()) {
        walk(entry.getValue(), path + "[" + entry.getKey() + "]", found, seen);
      }
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getName().equals("getClass")) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      String name =
          Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      if (name.equals("additionalProperties") && value instanceof Map<?, ?> extra) {
        extra.keySet().forEach(k -> found.add(path.isEmpty() ? k.toString() : path + "." + k));
      } else {
        walk(value, path.isEmpty() ? name : path + "." + name, found, seen);
      }
    }
  }
}
