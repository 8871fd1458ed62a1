package lan.homelab.pxe.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed CRDs (crds/ and the chart's crds/) are byte for byte what the classes generate. */
class CrdsInSyncTest {
  private static final String FIX = "run ./mvnw -Pregenerate process-classes -pl operator";

  @Test
  void shouldCommitExactlyTheGeneratedCrds() throws IOException {
    Path generated = generatedDir();
    List<String> names = crdFiles(generated);
    assertThat(names).as("CRDs generated into " + generated).isNotEmpty();

    for (Path committed :
        List.of(HelmChart.repoRoot().resolve("crds"), HelmChart.chartDir().resolve("crds"))) {
      assertThat(crdFiles(committed))
          .as("CRD files in %s differ from the generated set; %s", committed, FIX)
          .containsExactlyElementsOf(names);
      for (String name : names) {
        assertThat(Files.readString(committed.resolve(name)))
            .as("%s differs from the generated CRD; %s", committed.resolve(name), FIX)
            .isEqualTo(Files.readString(generated.resolve(name)));
      }
    }
  }

  /** Where crd-generator-maven-plugin wrote the CRDs (target/classes/META-INF/fabric8). */
  static Path generatedDir() {
    Path dir = HelmChart.repoRoot().resolve("operator/target/classes/META-INF/fabric8");
    assertThat(dir).as("generated CRDs (run ./mvnw -pl operator process-classes)").isDirectory();
    return dir;
  }

  static List<String> crdFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith("-v1.yml"))
          .sorted()
          .toList();
    }
  }
}
