package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import lan.homelab.pxe.lab.LabCommand;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lab --real-network --exit-when-done --machines 2} end to end: two machines walk the flow
 * through real dnsmasq and nginx in namespaces the lab creates, the lab prints its lines, table and
 * summary, exits 0 and leaves no namespace behind.
 */
class LabOnRealNetworkTest {
  @TempDir Path dir;

  @BeforeEach
  void prerequisites() {
    NetPrerequisites.require("ip", "dnsmasq", "nginx", "busybox", "curl");
  }

  @Test
  void shouldProvisionTwoMachinesThroughRealDnsmasqAndNginxAndLeaveNothingBehind() {
    Path kubeconfig = dir.resolve("kubeconfig");
    var out = new StringWriter();
    var err = new StringWriter();
    var commandLine = new CommandLine(new LabCommand());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));

    int exit =
        commandLine.execute(
            "--real-network",
            "--exit-when-done",
            "--machines",
            "2",
            "--timeout",
            "45s",
            "--kubeconfig",
            kubeconfig.toString());

    String text = out.toString();
    assertThat(exit).as(text + err).isZero();
    assertThat(text.lines().filter(l -> l.matches("API: http://127\\.0\\.0\\.1:\\d+"))).hasSize(1);
    assertThat(text.lines().filter(l -> l.matches("Status: http://[0-9.]+:\\d+/"))).hasSize(1);
    String network =
        text.lines().filter(l -> l.startsWith("Network: namespace ")).findFirst().orElseThrow();
    assertThat(network).matches("Network: namespace \\S+ bridge " + NetLab.BRIDGE);
    assertThat(text)
        .contains("Summary: 2 of 2 machines provisioned")
        .contains("10.11.0.2", "peach-beach", "10.11.0.3", "moo-moo-meadows")
        .contains("52-54-00-00-00-01: provisioned as peach-beach.homelab.lan")
        .contains("52-54-00-00-00-02: provisioned as moo-moo-meadows.homelab.lan");
    String namespace = network.split(" ")[2];
    assertThat(Cmd.run("ip", "netns", "list").out()).doesNotContain(namespace);
    assertThat(kubeconfig).doesNotExist();
  }
}
