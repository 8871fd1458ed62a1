package lan.homelab.pxe.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import lan.homelab.pxe.config.OperatorSettings;

/**
 * The chart helm/pxe-operator rendered with helm-java (Helm's own template engine, in-process).
 * Public for the lab module's tests (through this module's test jar).
 */
public final class HelmChart {
  public static final String RELEASE = "pxe-operator";
  public static final String NAMESPACE = "pxe-system";

  /** k3s's Kubernetes release the chart is rendered for (helm-java defaults to v1.20). */
  public static final String KUBE_VERSION = "v1.32.0";

  public static final String HOOK_MARKER = "pxe.test/helm-hook";
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private HelmChart() {}

  /** The repository root: system property pxe.repoRoot (surefire), else the nearest parent. */
  public static Path repoRoot() {
    String property = System.getProperty("pxe.repoRoot");
    if (property != null && Files.isDirectory(Path.of(property, "helm"))) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("helm/pxe-operator"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "helm/pxe-operator not found above " + Path.of("").toAbsolutePath());
  }

  public static Path chartDir() {
    return repoRoot().resolve("helm/pxe-operator");
  }

  /** `helm template` with the chart's defaults plus the given values file (YAML text), if any. */
  public static String template(String valuesYaml) {
    return template(chartDir(), valuesYaml);
  }

  private static String template(Path chart, String valuesYaml) {
    TemplateCommand command =
        new Helm(chart)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    if (valuesYaml == null) {
      return command.call();
    }
    try {
      Path file = Files.createTempFile("pxe-values-", ".yaml");
      try {
        Files.writeString(file, valuesYaml);
        return command.withValuesFile(file).call();
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Like {@link #template} but with Helm hooks rendered as plain objects: helm-java's template
   * leaves hooks out (it is a dry-run install), so a temporary copy of the chart renames the
   * annotation helm.sh/hook to {@value #HOOK_MARKER}, keeping its value for the assertions.
   */
  public static String templateWithHooks(String valuesYaml) {
    try {
      Path copy = Files.createTempDirectory("pxe-chart-");
      try {
        Path target = copy.resolve("pxe-operator");
        try (var files = Files.walk(chartDir())) {
          for (Path source : files.toList()) {
            Path dest = target.resolve(chartDir().relativize(source).toString());
            if (Files.isDirectory(source)) {
              Files.createDirectories(dest);
            } else {
              Files.writeString(
                  dest,
                  Files.readString(source)
                      .replace("\"helm.sh/hook\" ", "\"" + HOOK_MARKER + "\" "));
            }
          }
        }
        return template(target, valuesYaml);
      } finally {
        try (var files = Files.walk(copy)) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every object of a multi-document YAML stream, parsed by fabric8. */
  public static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      boolean empty =
          document.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
      if (!empty) {
        objects.add((HasMetadata) Serialization.unmarshal(document));
      }
    }
    return objects;
  }

  public static List<HasMetadata> render(String valuesYaml) {
    return parse(template(valuesYaml));
  }

  public static <T extends HasMetadata> T one(
      List<HasMetadata> objects, Class<T> type, String name) {
    return find(objects, type, name)
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  public static <T extends HasMetadata> Optional<T> find(
      List<HasMetadata> objects, Class<T> type, String name) {
    return all(objects, type, o -> o.getMetadata().getName().equals(name)).stream().findFirst();
  }

  public static <T extends HasMetadata> List<T> all(
      List<HasMetadata> objects, Class<T> type, Predicate<T> filter) {
    return objects.stream().filter(type::isInstance).map(type::cast).filter(filter).toList();
  }

  /** The operator's settings as the chart's settings ConfigMap gives them. */
  public static OperatorSettings settings(List<HasMetadata> objects) {
    String yaml =
        one(objects, ConfigMap.class, "pxe-operator-settings").getData().get("settings.yaml");
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = Serialization.unmarshal(yaml, Map.class);
    return OperatorSettings.fromMap(raw);
  }
}
