package lan.homelab.pxe.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The plain manifests in manifests/, rendered from the chart with its default values: never edited
 * by hand. Secrets with generated values are left out (README shows the kubectl commands), the
 * seed's slots and the answer template go to manifests/examples/.
 *
 * <p>Regenerate: {@code ./mvnw -q -o -pl operator test -Dtest=ManifestsInSyncTest
 * -Dpxe.regenerateManifests=true}.
 */
final class Manifests {
  static final String MAIN = "pxe-operator.yaml";
  static final String SLOTS = "examples/slots.yaml";
  static final String ANSWER_TEMPLATE = "examples/answer-template.yaml";
  static final String REGENERATE =
      "./mvnw -q -o -pl operator test -Dtest=ManifestsInSyncTest -Dpxe.regenerateManifests=true";

  /** Values for the plain manifests: no generated secrets, so the output is deterministic. */
  static final String VALUES = "rootPassword: {create: false}\ndhcpHook: {create: false}\n";

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*\\n");

  private Manifests() {}

  /** Every file of manifests/ (path relative to it -> content). */
  static Map<String, String> render() throws IOException {
    String header =
        "# Generated from helm/pxe-operator (default values) by ManifestsInSyncTest. Do not edit;\n"
            + "# regenerate with: "
            + REGENERATE
            + "\n";
    StringBuilder main =
        new StringBuilder(header)
            .append("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ")
            .append(HelmChart.NAMESPACE)
            .append("\n  labels:\n    app.kubernetes.io/part-of: pxe-operator\n");
    StringBuilder slots = new StringBuilder(header);
    StringBuilder template = new StringBuilder(header);
    for (String document : DOCUMENT_SEPARATOR.split(HelmChart.template(VALUES))) {
      if (document.isBlank()) {
        continue;
      }
      HasMetadata object = (HasMetadata) Serialization.unmarshal(document);
      StringBuilder target =
          switch (object.getKind()) {
            case "ProvisioningSlot" -> slots;
            case "ConfigMap" ->
                object.getMetadata().getName().equals("pxe-answer-template") ? template : main;
            default -> main;
          };
      target.append("---\n").append(document.endsWith("\n") ? document : document + "\n");
    }
    Map<String, String> files = new LinkedHashMap<>();
    files.put(MAIN, main.toString());
    files.put(SLOTS, slots.toString());
    files.put(ANSWER_TEMPLATE, template.toString());
    Path crds = HelmChart.chartDir().resolve("crds");
    for (String name : CrdsInSyncTest.crdFiles(crds)) {
      files.put("crds/" + name, Files.readString(crds.resolve(name)));
    }
    return files;
  }

  static Path dir() {
    return HelmChart.repoRoot().resolve("manifests");
  }

  /** Writes the files and removes any other YAML file under manifests/. */
  static void write(Map<String, String> files) throws IOException {
    Path dir = dir();
    if (Files.isDirectory(dir)) {
      try (var existing = Files.walk(dir)) {
        for (Path p :
            existing
                .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                .toList()) {
          if (!files.containsKey(dir.relativize(p).toString())) {
            Files.delete(p);
          }
        }
      }
    }
    for (var file : files.entrySet()) {
      Path target = dir.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, file.getValue());
    }
  }

  static List<String> existing() throws IOException {
    Path dir = dir();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var files = Files.walk(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }
}
