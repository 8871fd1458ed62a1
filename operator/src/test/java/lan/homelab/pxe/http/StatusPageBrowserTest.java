package lan.homelab.pxe.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EventBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in Debian's headless chromium: the rendered DOM after the page's own refreshes,
 * and a screenshot kept as {@code target/status-page.png}. Needs the apt package {@code chromium};
 * without it the test fails when CI=true and is skipped elsewhere.
 */
class StatusPageBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static HttpFixture fx;

  @TempDir Path profile;

  @BeforeAll
  static void start() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM);
    if ("true".equals(System.getenv("CI"))) {
      assertThat(present).as("CI needs the apt package chromium for the status page test").isTrue();
    }
    Assumptions.assumeTrue(
        present, "skipped: install chromium (apt-get install -y chromium) to run the browser test");
    fx = new HttpFixture();
    fx.slot("peach-beach", "10.11.0.2", 1, SlotPhase.Claimed, "52-54-00-00-00-01");
    fx.slot("moo-moo-meadows", "10.11.0.3", 2, SlotPhase.Provisioned, "52-54-00-00-00-02");
    fx.slot("slot-10-11-0-4", "10.11.0.4", 3, SlotPhase.Available, null);
    var installing =
        fx.install("52:54:00:00:00:01", NodeInstallPhase.Installing, "10.11.0.2", null);
    installing.getStatus().setHostname("peach-beach");
    installing.getStatus().setDiscoveredAt("2026-11-26T15:20:00Z");
    installing.getStatus().setClaimedAt("2026-11-26T15:20:01Z");
    installing.getStatus().setBootScriptServedAt("2026-11-26T15:20:40Z");
    installing.getStatus().setAnswerServedAt("2026-11-26T15:22:10Z");
    fx.client.resource(installing).updateStatus();
    var done = fx.install("52:54:00:00:00:02", NodeInstallPhase.Provisioned, "10.11.0.3", null);
    done.getStatus().setHostname("moo-moo-meadows");
    done.getStatus().setClaimedAt("2026-11-26T15:01:00Z");
    done.getStatus().setCompletedAt("2026-11-26T15:09:00Z");
    fx.client.resource(done).updateStatus();
    var waiting = fx.install("52:54:00:00:00:03", NodeInstallPhase.Waiting, null, null);
    fx.client
        .v1()
        .events()
        .inNamespace(HttpFixture.NS)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName("hostile")
                .endMetadata()
                .withNewInvolvedObject()
                .withKind("NodeInstall")
                .withName(waiting.getMetadata().getName())
                .endInvolvedObject()
                .withType("Warning")
                .withReason("MacMismatch")
                .withMessage("<img src=x onerror=\"document.title='pwned'\"> lists other NICs")
                .withLastTimestamp("2026-11-26T15:30:00Z")
                .build())
        .create();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void shouldRenderTheQueueAndTheMachinesAfterItsOwnRefreshes() throws Exception {
    String dom = chromium("--dump-dom");

    Matcher refreshes = Pattern.compile("data-refreshes=\"([0-9]+)\"").matcher(dom);
    assertThat(refreshes.find()).as(dom).isTrue();
    assertThat(Integer.parseInt(refreshes.group(1)))
        .as("refreshes by itself")
        .isGreaterThanOrEqualTo(2);
    assertThat(dom)
        .contains("<td>peach-beach</td>")
        .contains("<td>moo-moo-meadows</td>")
        .contains("<td>slot-10-11-0-4</td>")
        .contains("<td class=\"phase Claimed\">Claimed</td><td>52-54-00-00-00-01</td>")
        .contains(">Installing<")
        .contains(">Provisioned<")
        .contains(">Waiting<")
        .contains("completed 2026-11-26T15:09:00Z")
        .contains("3 slots, 3 machines");
    assertThat(dom.indexOf("peach-beach")).isLessThan(dom.indexOf("moo-moo-meadows"));
    assertThat(dom.indexOf("moo-moo-meadows")).isLessThan(dom.indexOf("slot-10-11-0-4"));
    assertThat(dom)
        .as("API text is shown, never run")
        .contains("&lt;img src=x onerror=\"document.title='pwned'\"&gt; lists other NICs")
        .doesNotContain("<img")
        .doesNotContain("<title>pwned");
  }

  @Test
  void shouldLeaveAScreenshotAsATestArtifact() throws Exception {
    Path png = Path.of("target", "status-page.png").toAbsolutePath();
    Files.deleteIfExists(png);

    chromium("--screenshot=" + png);

    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes.length).isGreaterThan(5_000);
    assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  private String chromium(String action) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=1280,900",
                "--virtual-time-budget=3000",
                action,
                fx.uri("/").toString()));
    File stderr = profile.resolve("chromium.log").toFile();
    Process process =
        new ProcessBuilder(command)
            .redirectError(stderr)
            .redirectOutput(profile.resolve("stdout.html").toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "chromium did not finish in 60 s: " + Files.readString(stderr.toPath()));
    }
    assertThat(process.exitValue()).as(Files.readString(stderr.toPath())).isZero();
    return Files.readString(profile.resolve("stdout.html"));
  }
}
