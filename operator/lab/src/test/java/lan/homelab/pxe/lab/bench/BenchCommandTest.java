package lan.homelab.pxe.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
  @Test
  void shouldMeasureATinyBurstAndWriteTheReport(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("BENCHMARKS.md");

    int exit =
        new CommandLine(new BenchCommand())
            .execute(
                "--machines", "3", "--timeout", "60", "--skip-network", "--out", report.toString());

    assertThat(exit).isZero();
    String text = Files.readString(report);
    assertThat(text)
        .contains("cores")
        .contains("| burst: 3 claims, time to all claimed |")
        .contains("| burst: duplicates (slot held twice, MAC holding two) | 0 |")
        .contains("| burst: API requests per claimed machine |")
        .contains("| operator RSS after start |")
        .contains("| operator start to /readyz 200 |")
        .contains(
            "| " + BenchCommand.ROW_DISCOVERY + " | not measured: skipped (--skip-network) |",
            "| " + BenchCommand.ROW_ANSWER + " | not measured: skipped (--skip-network) |",
            "| " + BenchCommand.ROW_ASSET + " | not measured: skipped (--skip-network) |");
  }

  /** The bench's figures are the image's only while both run the JVM with the same flags. */
  @Test
  void shouldRunTheOperatorWithTheImagesJvmFlagsAndEnvironment() throws Exception {
    String pom = Files.readString(Path.of(System.getProperty("pxe.repoRoot"), "operator/pom.xml"));
    List<String> imageFlags = new ArrayList<>();
    Matcher flag = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>").matcher(pom);
    while (flag.find()) {
      imageFlags.add(flag.group(1));
    }
    List<String> benchFlags = new ArrayList<>(BenchCommand.IMAGE_JVM_FLAGS);
    // The pod's memory limit, which the container JVM reads from its cgroup.
    assertThat(benchFlags.remove("-XX:MaxRAM=192m")).isTrue();
    imageFlags.remove("-XX:+ExitOnOutOfMemoryError");

    assertThat(benchFlags).isEqualTo(imageFlags);
    BenchCommand.IMAGE_ENVIRONMENT.forEach(
        (name, value) -> assertThat(pom).contains("<" + name + ">" + value + "</" + name + ">"));
  }
}
