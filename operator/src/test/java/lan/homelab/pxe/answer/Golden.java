package lan.homelab.pxe.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under src/test/resources. Run with {@code -Dpxe.updateGolden=true} to rewrite them
 * from the current output (then review the diff).
 */
final class Golden {
  private Golden() {}

  static String read(String resource) {
    try (InputStream in = Golden.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertMatches(String resource, String actual) throws IOException {
    if (Boolean.getBoolean("pxe.updateGolden")) {
      Path file =
          Path.of(System.getProperty("pxe.repoRoot", "."), "operator/src/test/resources")
              .resolve(resource.substring(1));
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual);
      return;
    }
    assertThat(actual).as("golden file " + resource).isEqualTo(read(resource));
  }
}
