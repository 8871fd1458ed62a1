package lan.homelab.pxe.lab.net;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process kept running: restarted whenever it exits until {@link #stop()} (as the boot pod's
 * container restart policy does for dnsmasq), bounded to {@link #MAX_STARTS} starts.
 */
public final class Supervised {
  static final int MAX_STARTS = 200;

  private final String name;
  private final List<String> command;
  private final Path log;
  private final AtomicInteger starts = new AtomicInteger();
  private final Thread watcher;
  private volatile Process current;
  private volatile boolean stopping;

  private final java.util.Map<String, String> env;

  Supervised(String name, List<String> command, Path log, java.util.Map<String, String> env)
      throws IOException {
    this.name = name;
    this.command = command;
    this.log = log;
    this.env = env;
    this.current = launch();
    this.watcher = new Thread(this::watch, "supervise-" + name);
    watcher.setDaemon(true);
    watcher.start();
  }

  private Process launch() throws IOException {
    starts.incrementAndGet();
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    return builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private void watch() {
    while (!stopping) {
      try {
        current.waitFor();
        if (stopping || starts.get() >= MAX_STARTS) {
          return;
        }
        current = launch();
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        return;
      }
    }
  }

  /** The PID of the running instance. */
  public long pid() {
    return current.pid();
  }

  public boolean isAlive() {
    return current.isAlive();
  }

  /** How many times the process was started (1 + restarts). */
  public int starts() {
    return starts.get();
  }

  public String name() {
    return name;
  }

  /** Stops the process for good: SIGTERM, then SIGKILL after two seconds. */
  public void stop() {
    stopping = true;
    watcher.interrupt();
    Process p = current;
    p.destroy();
    try {
      if (!p.waitFor(2, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
