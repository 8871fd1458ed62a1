package lan.homelab.pxe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under src/test/resources. Run with {@code -Dpxe.updateGolden=true} to rewrite them
 * from the current output (then review the diff).
 */
public final class Golden {
  private Golden() {}

  public static void assertMatches(String resource, String actual) {
    Path file = Path.of("src/test/resources").resolve(resource);
    try {
      if (Boolean.getBoolean("pxe.updateGolden")) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
      }
      assertThat(actual)
          .as("output differs from golden file %s (-Dpxe.updateGolden=true rewrites it)", file)
          .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("missing golden file " + file, e);
    }
  }
}
