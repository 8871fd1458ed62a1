package lan.homelab.pxe.lab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * dnsmasq's reload cost: a real dnsmasq serving DHCP on a veth inside a network namespace of its
 * own (created here, deleted in the end), its hosts file holding N reservations; the time from
 * SIGHUP until dnsmasq logs that it read the file, median of several reloads.
 */
final class DnsmasqReload implements AutoCloseable {
  private final String ns = "pxe-bench-" + ProcessHandle.current().pid();
  private final Path dir;
  private final Path hosts;
  private Process dnsmasq;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  DnsmasqReload() throws Exception {
    dir = Files.createTempDirectory("pxe-bench-dnsmasq");
    hosts = dir.resolve("hosts");
    Files.writeString(hosts, "");
    run("ip", "netns", "add", ns);
    run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    run(
        "ip", "netns", "exec", ns, "ip", "link", "add", "pxe0", "type", "veth", "peer", "name",
        "pxe1");
    run("ip", "netns", "exec", ns, "ip", "addr", "add", "10.11.0.1/22", "dev", "pxe0");
    run("ip", "netns", "exec", ns, "ip", "link", "set", "pxe0", "up");
    run("ip", "netns", "exec", ns, "ip", "link", "set", "pxe1", "up");
    dnsmasq =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "dnsmasq",
                "--no-daemon",
                "--conf-file=/dev/null",
                "--port=0",
                "--interface=pxe0",
                "--bind-interfaces",
                "--dhcp-range=10.11.3.200,10.11.3.254,12h",
                "--dhcp-hostsfile=" + hosts,
                "--dhcp-leasefile=" + dir.resolve("leases"),
                "--log-facility=-",
                "--pid-file=" + dir.resolve("pid"))
            .redirectErrorStream(true)
            .start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(dnsmasq.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  lines.add(l);
                }
              } catch (IOException e) {
                // dnsmasq ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    awaitLine("read " + hosts, 10_000);
  }

  static boolean available() {
    return ProcessHandle.current().info().user().map("root"::equals).orElse(false)
        && Files.isExecutable(Path.of("/usr/sbin/dnsmasq"))
        && Files.isExecutable(Path.of("/usr/sbin/ip"));
  }

  /** Median milliseconds of {@code repeats} reloads with {@code reservations} entries. */
  double reloadMillis(int reservations, int repeats) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < reservations; i++) {
      long host = 2 + i;
      b.append(
          String.format(
              "52:54:%02x:%02x:%02x:%02x,10.%d.%d.%d,node-%d,infinite%n",
              (i >> 24) & 255,
              (i >> 16) & 255,
              (i >> 8) & 255,
              i & 255,
              11 + (host >> 16),
              (host >> 8) & 255,
              host & 255,
              i));
    }
    Files.writeString(hosts, b.toString());
    long pid = dnsmasq.pid(); // ip netns exec execs dnsmasq in place
    List<Double> times = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      lines.clear();
      long start = System.nanoTime();
      run("kill", "-HUP", Long.toString(pid));
      awaitLine("read " + hosts, 60_000);
      times.add((System.nanoTime() - start) / 1e6);
    }
    Collections.sort(times);
    return times.get(times.size() / 2);
  }

  private void awaitLine(String part, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.contains(part)) {
        return;
      }
    }
    throw new IllegalStateException("dnsmasq never logged '" + part + "'");
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  @Override
  public void close() throws Exception {
    if (dnsmasq != null) {
      dnsmasq.destroy();
      dnsmasq.waitFor(5, TimeUnit.SECONDS);
    }
    new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}
