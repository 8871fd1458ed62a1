package lan.homelab.pxe.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dnsmasq and nginx themselves accept what the renderers write ({@code --test}, {@code -t}). */
class RenderedConfigAcceptedTest {
  @TempDir Path root;

  static Path tool(String name) {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    String message = name + " is not installed: apt-get install " + name + " (see .ci/run)";
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail(message);
    }
    Assumptions.abort(message);
    return null;
  }

  static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s said: %s", command, out).isZero();
    return out;
  }

  @Test
  void shouldBeAcceptedByDnsmasqWithAndWithoutTls() throws Exception {
    Path dnsmasq = tool("dnsmasq");
    BootDir dir = new BootDir(root);
    for (OperatorSettings settings :
        List.of(
            OperatorSettings.defaults(),
            OperatorSettings.defaults().with(Map.of("tls.enabled", true)))) {
      Files.createDirectories(dir.hostsDir());
      Path conf = root.resolve("dnsmasq.conf");
      Files.writeString(
          conf, dir.relocate(DnsmasqConfRenderer.render(DnsmasqConf.of(settings, "AB:CD"))));

      assertThat(run(List.of(dnsmasq.toString(), "--test", "--conf-file=" + conf)))
          .contains("syntax check OK");
    }
  }

  @Test
  void shouldBeAcceptedByNginx() throws Exception {
    Path nginx = tool("nginx");
    BootDir dir = new BootDir(root);
    Files.createDirectories(dir.hookTokenInclude().getParent());
    Files.createDirectories(dir.nginxTemp());
    Files.writeString(dir.hookTokenInclude(), NginxConfRenderer.tokenInclude("t0ken"));
    Files.createDirectories(dir.assetsAllowInclude().getParent());
    Files.writeString(
        dir.assetsAllowInclude(),
        NginxConfRenderer.assetsAllowInclude(List.of(Ipv4.parse("10.11.0.2"))));
    Files.createDirectories(dir.nginxConf().getParent());
    Files.writeString(
        dir.nginxConf(),
        dir.relocate(
            NginxConfRenderer.render(OperatorSettings.defaults(), "http://127.0.0.1:8081")));

    assertThat(
            run(
                List.of(
                    nginx.toString(),
                    "-t",
                    "-e",
                    "stderr",
                    "-p",
                    root + "/",
                    "-c",
                    dir.nginxConf().toString())))
        .contains("test is successful");
  }

  @Test
  void shouldBeAcceptedByNginxWithTlsOnAndTheCertificateTheSyncWrites() throws Exception {
    Path nginx = tool("nginx");
    Path openssl = tool("openssl");
    BootDir dir = new BootDir(root);
    Path secrets = dir.hookTokenInclude().getParent();
    Files.createDirectories(secrets);
    Files.createDirectories(dir.nginxTemp());
    Files.writeString(dir.hookTokenInclude(), NginxConfRenderer.tokenInclude("t0ken"));
    Files.createDirectories(dir.assetsAllowInclude().getParent());
    Files.writeString(
        dir.assetsAllowInclude(),
        NginxConfRenderer.assetsAllowInclude(List.of(Ipv4.parse("10.11.0.2"))));
    run(
        List.of(
            openssl.toString(),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=pxe-operator",
            "-keyout",
            secrets.resolve("tls.key").toString(),
            "-out",
            secrets.resolve("tls.crt").toString()));
    Files.createDirectories(dir.nginxConf().getParent());
    Files.writeString(
        dir.nginxConf(),
        dir.relocate(
            NginxConfRenderer.render(
                OperatorSettings.defaults().with(Map.of("tls.enabled", true)),
                "http://127.0.0.1:8081")));

    assertThat(
            run(
                List.of(
                    nginx.toString(),
                    "-t",
                    "-e",
                    "stderr",
                    "-p",
                    root + "/",
                    "-c",
                    dir.nginxConf().toString())))
        .contains("test is successful");
  }
}
