package lan.homelab.pxe.lab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import lan.homelab.pxe.claim.Mac;
import org.junit.jupiter.api.Test;

/** The harness leaves nothing behind: its own run on close, and crashed runs on the next start. */
class NetLabTeardownTest {
  static Path work(String name) {
    return Path.of("target", "netlab", name + "-" + ProcessHandle.current().pid()).toAbsolutePath();
  }

  @Test
  void shouldKillItsProcessesAndDeleteItsNamespacesOnClose() throws IOException {
    NetPrerequisites.require("sleep");
    NetLab lab = NetLab.create(work("teardown"), "10.11.0.1/22");
    Client client = lab.addClient(Mac.parse("52:54:00:0f:00:01"));
    Process sleeper = lab.start(client.namespace(), List.of("sleep", "600"), "sleeper");

    lab.close();

    assertThat(sleeper.isAlive()).isFalse();
    assertThat(NetLab.listNamespaces()).doesNotContain(lab.serverNamespace(), client.namespace());
  }

  @Test
  void shouldSweepNamespacesOfRunsWhoseJvmIsGone() throws Exception {
    NetPrerequisites.require("sleep");
    long deadPid = deadPid();
    String leftover = "pxe" + deadPid + "x1-srv";
    Cmd.check("ip", "netns", "add", leftover);
    Process orphan = new ProcessBuilder(Cmd.inNamespace(leftover, List.of("sleep", "600"))).start();
    String foreign = "pxe" + ProcessHandle.current().pid() + "x999-srv";
    Cmd.check("ip", "netns", "add", foreign);
    try {
      NetLab.sweepLeftovers();

      assertThat(NetLab.listNamespaces()).doesNotContain(leftover).contains(foreign);
      assertThat(orphan.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      orphan.destroyForcibly();
      Cmd.run("ip", "netns", "del", leftover);
      Cmd.run("ip", "netns", "del", foreign);
    }
  }

  /** A PID no process holds (high in the PID space, checked). */
  static long deadPid() {
    for (long pid = 4_194_000; pid > 4_000_000; pid--) {
      if (ProcessHandle.of(pid).isEmpty()) {
        return pid;
      }
    }
    throw new IllegalStateException("no free PID found");
  }
}
