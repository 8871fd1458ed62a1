package lan.homelab.pxe.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dnsmasq's lease hook script against the real server with curl, which reads the hook token's
 * header from stdin so that no command line carries it. Needs curl (apt package curl): fails
 * without it when CI=true, else skips.
 */
class DhcpEventHookScriptTest {
  static HttpFixture fx;
  static Path script;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    fx = new HttpFixture();
    script = Files.createTempFile("dhcp-event-hook", ".sh");
    try (InputStream in =
        DhcpEventHookScriptTest.class.getResourceAsStream(
            "/lan/homelab/pxe/render/dhcp-event-hook.sh")) {
      Files.write(script, in.readAllBytes());
    }
  }

  @AfterAll
  static void stop() throws IOException {
    fx.close();
    Files.deleteIfExists(script);
  }

  @BeforeEach
  void reset() {
    fx.reset();
  }

  static void require(String tool) {
    boolean present =
        Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/bin", tool));
    if ("true".equals(System.getenv("CI"))) {
      assertThat(present).as("CI needs the apt package " + tool).isTrue();
    }
    Assumptions.assumeTrue(present, "skipped: apt-get install -y " + tool + " to run this test");
  }

  Result hook(String path, Map<String, String> env, String... args) throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, HttpFixture.HOOK_TOKEN + "\n");
    ProcessBuilder pb = new ProcessBuilder();
    pb.command().addAll(List.of("sh", script.toString()));
    pb.command().addAll(List.of(args));
    pb.environment().clear();
    pb.environment().put("PATH", path);
    pb.environment().put("PXE_HOOK_URL", "http://127.0.0.1:" + fx.server.port());
    pb.environment().put("PXE_HOOK_TOKEN_FILE", token.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    boolean done = p.waitFor(30, TimeUnit.SECONDS);
    assertThat(done).as("the hook finishes").isTrue();
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()));
  }

  record Result(int exit, String output) {}

  static final Map<String, String> PXE_ROM =
      Map.of(
          "DNSMASQ_VENDOR_CLASS", "PXEClient:Arch:00000:UNDI:002001",
          "DNSMASQ_TAGS", "known bios",
          "DNSMASQ_INTERFACE", "vmbr0");

  @Test
  void shouldReportAPxeLeaseWithCurl() throws Exception {
    require("curl");

    Result result = hook("/usr/bin:/bin", PXE_ROM, "add", "52:54:00:12:34:56", "10.11.3.200");

    assertThat(result.exit()).isZero();
    assertThat(result.output()).isEmpty();
    NodeInstall ni = fx.nodeInstall("52-54-00-12-34-56");
    assertThat(ni).isNotNull();
    assertThat(ni.getStatus().getDiscovery().getArchitecture()).isEqualTo("bios");
    assertThat(ni.getStatus().getDiscovery().getNetworkInterface()).isEqualTo("vmbr0");
  }

  @Test
  void shouldNeverPutTheTokenOnACommandLine() throws Exception {
    require("curl");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path arguments = dir.resolve("curl-arguments");
    Path spy = bin.resolve("curl");
    Files.writeString(
        spy, "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + arguments + "'\nexec /usr/bin/curl \"$@\"\n");
    Files.setPosixFilePermissions(
        spy, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

    Result result =
        hook(bin + ":/usr/bin:/bin", PXE_ROM, "old", "52:54:00:ab:cd:ef", "10.11.3.201");

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(fx.nodeInstall("52-54-00-ab-cd-ef")).as(result.output()).isNotNull();
    assertThat(Files.readString(arguments))
        .as("curl's command line, which ps shows to every user")
        .contains("@-")
        .doesNotContain(HttpFixture.HOOK_TOKEN);
  }

  @Test
  void shouldLogThatCurlIsMissingAndReportNothingWithoutIt() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : List.of("sh", "awk", "tr")) {
      Path real =
          Files.isExecutable(Path.of("/usr/bin", tool))
              ? Path.of("/usr/bin", tool)
              : Path.of("/bin", tool);
      Files.createSymbolicLink(bin.resolve(tool), real);
    }

    Result result = hook(bin.toString(), PXE_ROM, "add", "52:54:00:ab:cd:ee", "10.11.3.201");

    assertThat(result.exit()).isZero();
    assertThat(result.output()).contains("curl is not installed");
    assertThat(fx.state()).isEmpty();
  }

  @Test
  void shouldEscapeWhatClientsSayAboutThemselves() throws Exception {
    require("curl");

    Result result =
        hook(
            "/usr/bin:/bin",
            Map.of(
                "DNSMASQ_VENDOR_CLASS",
                "PXEClient\"},\"admin\":\"1\\",
                "DNSMASQ_USER_CLASS0",
                "x\u0001y"),
            "add",
            "52:54:00:12:34:57",
            "10.11.3.202",
            "evil\"host\\");

    assertThat(result.exit()).isZero();
    assertThat(result.output()).isEmpty();
    assertThat(fx.nodeInstall("52-54-00-12-34-57")).isNotNull();
  }

  @Test
  void shouldLogAndChangeNothingWhenTheOperatorRefuses() throws Exception {
    require("curl");
    Files.writeString(dir.resolve("wrong"), "not-the-token");

    Result result =
        hook(
            "/usr/bin:/bin",
            Map.of(
                "PXE_HOOK_TOKEN_FILE",
                dir.resolve("wrong").toString(),
                "DNSMASQ_VENDOR_CLASS",
                "PXEClient"),
            "add",
            "52:54:00:12:34:58",
            "10.11.3.203");

    assertThat(result.exit()).isZero();
    assertThat(result.output()).contains("HTTP 403").contains("wrong X-Pxe-Hook-Token");
    assertThat(fx.state()).isEmpty();
  }

  @Test
  void shouldIgnoreEventsThatAreNotLeaseEvents() throws Exception {
    require("curl");

    Result result = hook("/usr/bin:/bin", PXE_ROM, "tftp", "1234", "10.11.3.200", "/undionly.kpxe");

    assertThat(result.exit()).isZero();
    assertThat(result.output()).isEmpty();
    assertThat(fx.state()).isEmpty();
  }
}
