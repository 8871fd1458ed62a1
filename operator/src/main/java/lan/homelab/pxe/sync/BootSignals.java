package lan.homelab.pxe.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.render.BootDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells dnsmasq and nginx to pick up changed files, by the PIDs in their pid files (the boot pod
 * shares one process namespace): SIGHUP makes dnsmasq re-read its host files; SIGTERM ends dnsmasq
 * so its container (or the lab's supervisor) restarts it with the new static configuration; SIGHUP
 * makes nginx reload its configuration. A process that is not running is not an error: it reads the
 * files when it starts.
 */
public class BootSignals {
  private static final Logger LOG = LoggerFactory.getLogger(BootSignals.class);

  private final BootDir dir;

  public BootSignals(BootDir dir) {
    this.dir = dir;
  }

  public void reloadDnsmasqHosts() {
    signal(dir.dnsmasqPidFile(), "HUP");
  }

  public void restartDnsmasq() {
    signal(dir.dnsmasqPidFile(), "TERM");
  }

  public void reloadNginx() {
    signal(dir.nginxPidFile(), "HUP");
  }

  static OptionalLong readPid(Path pidFile) {
    try {
      String text = Files.readString(pidFile).trim();
      return text.matches("\\d{1,9}")
          ? OptionalLong.of(Long.parseLong(text))
          : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  private void signal(Path pidFile, String signal) {
    OptionalLong pid = readPid(pidFile);
    if (pid.isEmpty() || ProcessHandle.of(pid.getAsLong()).isEmpty()) {
      LOG.info(
          "{} not running (no live PID in {}): nothing to signal", pidFile.getFileName(), pidFile);
      return;
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-s", signal, Long.toString(pid.getAsLong()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        LOG.warn("kill -s {} {} failed", signal, pid.getAsLong());
      }
    } catch (IOException e) {
      LOG.warn("cannot signal {}: {}", pid.getAsLong(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
