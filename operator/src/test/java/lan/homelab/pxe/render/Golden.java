package lan.homelab.pxe.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under src/test/resources/lan/homelab/pxe/render/golden; {@code
 * -Dpxe.updateGolden=true} rewrites them from the renderers (review the diff before committing).
 */
final class Golden {
  private static final Path DIR = Path.of("src/test/resources/lan/homelab/pxe/render/golden");

  private Golden() {}

  static void assertMatches(String name, String rendered) throws IOException {
    Path file = DIR.resolve(name);
    if (Boolean.getBoolean("pxe.updateGolden")) {
      Files.createDirectories(DIR);
      Files.writeString(file, rendered);
    }
    assertThat(file).as("golden file %s", file).exists();
    assertThat(rendered).isEqualTo(Files.readString(file));
  }
}
