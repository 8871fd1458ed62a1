package lan.homelab.pxe.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
        .contains("| operator RSS after start |")
        .contains("| operator start to /readyz 200 |")
        .contains(
            "| " + BenchCommand.ROW_DISCOVERY + " | not measured: skipped (--skip-network) |",
            "| " + BenchCommand.ROW_ANSWER + " | not measured: skipped (--skip-network) |",
            "| " + BenchCommand.ROW_ASSET + " | not measured: skipped (--skip-network) |");
  }
}
