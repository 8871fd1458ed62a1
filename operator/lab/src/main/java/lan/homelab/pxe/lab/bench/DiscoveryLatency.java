package lan.homelab.pxe.lab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.lab.net.Client;
import lan.homelab.pxe.lab.net.NetLab;
import lan.homelab.pxe.lab.net.NetworkedOperator;

/**
 * Discovery to reservation on a lab LAN: the operator in-process on a fabric8 mock API, the boot
 * pod's sync, real dnsmasq with the real lease hook and nginx in network namespaces ({@link
 * NetworkedOperator}); machines, one after another, each a new PXE client played by a raw DHCP
 * client (scapy, loaded once) that times its first DISCOVER, its pool ACK and the first offer of
 * its slot's reserved address, probing every {@link #PROBE_MILLIS} ms. Everything started here is
 * stopped and every namespace deleted by {@link #close()}.
 */
final class DiscoveryLatency implements AutoCloseable {
  /** How often the client asks again once it holds its pool lease: the figure's resolution. */
  static final int PROBE_MILLIS = 10;

  /** How long one machine may take before it counts as not answered. */
  static final int LIMIT_SECONDS = 10;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesMockServer mock;
  private final KubernetesClient client;
  private final NetworkedOperator net;
  private final Map<String, Long> createdAt = new ConcurrentHashMap<>();
  private final Map<String, Long> installingAt = new ConcurrentHashMap<>();
  private final Watch watch;
  private final Process timer;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  /**
   * One machine's timeline in milliseconds after its first DISCOVER (-1: never reached): its pool
   * ACK, its NodeInstall seen created (the lease hook reached the operator), seen Installing (slot
   * claimed), its reservation in the hosts file, dnsmasq's first offer of another address; {@code
   * address} is that address, {@code slotAddress} the one its NodeInstall holds.
   */
  record Machine(
      String mac,
      double ack,
      double created,
      double installing,
      double hostsFile,
      double answer,
      String address,
      String slotAddress) {
    boolean answered() {
      return answer >= 0 && address != null && address.equals(slotAddress);
    }
  }

  static List<String> missingPrerequisites() {
    List<String> missing = NetLab.missingPrerequisites("ip", "dnsmasq", "nginx");
    if (!Files.isExecutable(Path.of(NetLab.PYTHON)) || !scapyImports()) {
      missing.add(NetLab.PYTHON + " with python3-scapy");
    }
    return missing;
  }

  private static boolean scapyImports() {
    try {
      Process p =
          new ProcessBuilder(NetLab.PYTHON, "-c", "import scapy")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  DiscoveryLatency(Path work, int machines) throws Exception {
    mock = BenchCommand.mockServer();
    client = mock.createClient();
    NetworkedOperator started = null;
    Watch watching = null;
    Process process = null;
    try {
      BenchCommand.seed(client);
      started = NetworkedOperator.onApi(work, client, false);
      for (int i = 0; i < machines; i++) {
        started.createSlot("slot-" + i, "10.11.0." + (10 + i), "node-" + i, i + 1);
      }
      watching =
          client
              .resources(NodeInstall.class)
              .inNamespace(BenchCommand.NS)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, NodeInstall ni) {
                      createdAt.putIfAbsent(ni.getMetadata().getName(), System.nanoTime());
                      if (ni.getStatus() != null
                          && ni.getStatus().getPhase() == NodeInstallPhase.Installing) {
                        installingAt.putIfAbsent(ni.getMetadata().getName(), System.nanoTime());
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                      // the bench closes it
                    }
                  });
      Client probe = started.lab().addClient(Mac.parse("52:54:00:be:00:00"));
      Path script = work.resolve("dhcp-claim-timer.py");
      try (InputStream in = DiscoveryLatency.class.getResourceAsStream("dhcp-claim-timer.py")) {
        Files.copy(in, script);
      }
      process =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  probe.namespace(),
                  NetLab.PYTHON,
                  script.toString(),
                  "--interval",
                  String.valueOf(PROBE_MILLIS / 1000.0),
                  "--limit",
                  String.valueOf(LIMIT_SECONDS))
              .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("timer.log").toFile()))
              .start();
      Process reading = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(reading.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                  }
                } catch (IOException e) {
                  // the timer ended
                }
              },
              "dhcp-claim-timer");
      reader.setDaemon(true);
      reader.start();
      String ready = lines.poll(30, TimeUnit.SECONDS);
      if (!"READY".equals(ready)) {
        throw new IllegalStateException(
            "the DHCP timer did not start (" + ready + "); see " + work.resolve("timer.log"));
      }
    } catch (Exception e) {
      stop(process, watching, started);
      client.close();
      mock.destroy();
      throw e;
    }
    net = started;
    watch = watching;
    timer = process;
  }

  /** The prefix of every namespace this run created (all gone after {@link #close()}). */
  String labId() {
    return net.lab().id();
  }

  /** Plays {@code count} new PXE clients one after another and returns their timelines. */
  List<Machine> run(int count) throws Exception {
    Path hosts = net.stack().dir().hostsFile();
    Writer in = new java.io.OutputStreamWriter(timer.getOutputStream(), StandardCharsets.UTF_8);
    List<Machine> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Mac mac = Mac.parse(String.format("52:54:00:be:%02x:%02x", (i + 1) >> 8, (i + 1) & 255));
      in.write(mac.value() + "\n");
      in.flush();
      long hostsAt = -1;
      String line = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS + 10);
      while (line == null && System.nanoTime() < deadline) {
        if (hostsAt < 0
            && Files.isRegularFile(hosts)
            && Files.readString(hosts).contains(mac.value())) {
          hostsAt = System.nanoTime();
        }
        line = lines.poll(1, TimeUnit.MILLISECONDS);
      }
      if (line == null) {
        throw new IllegalStateException("the DHCP timer did not report " + mac);
      }
      if (hostsAt < 0 && Files.readString(hosts).contains(mac.value())) {
        hostsAt = System.nanoTime(); // written within the last poll: an upper bound
      }
      JsonNode r = JSON.readTree(line);
      long discover = r.path("discover").asLong();
      NodeInstall ni = net.install(mac).orElse(null);
      String slotAddress =
          ni == null || ni.getStatus() == null ? null : ni.getStatus().getAddress();
      Long created = createdAt.get(mac.objectName());
      Long installing = installingAt.get(mac.objectName());
      out.add(
          new Machine(
              mac.value(),
              since(discover, r.path("ack")),
              created == null ? -1 : (created - discover) / 1e6,
              installing == null ? -1 : (installing - discover) / 1e6,
              hostsAt < 0 ? -1 : (hostsAt - discover) / 1e6,
              since(discover, r.path("answer")),
              r.path("address").isNull() ? null : r.path("address").asText(),
              slotAddress));
    }
    return out;
  }

  /**
   * Median milliseconds of {@code repeats} runs of the boot pod's lease hook (the script dnsmasq
   * runs for each lease event) reporting an add to a stand-in that answers 202 at once: the hook's
   * own share of discovery to reservation.
   */
  double hookMillis(int repeats) throws Exception {
    HttpServer standIn =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    standIn.createContext(
        "/v1/dhcp-events",
        ex -> {
          ex.getRequestBody().readAllBytes();
          ex.sendResponseHeaders(202, -1);
          ex.close();
        });
    standIn.start();
    try {
      double[] times = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        ProcessBuilder hook =
            new ProcessBuilder(
                    net.stack().dir().hookScript().toString(),
                    "add",
                    "52:54:00:be:ff:01",
                    "10.11.3.250",
                    "")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = hook.environment();
        env.put("PXE_HOOK_URL", "http://127.0.0.1:" + standIn.getAddress().getPort());
        env.put("PXE_HOOK_TOKEN_FILE", net.stack().dir().hookToken().toString());
        env.put("DNSMASQ_VENDOR_CLASS", Client.PXE_VENDOR_CLASS);
        env.put("DNSMASQ_TAGS", "pxe br0");
        env.put("DNSMASQ_INTERFACE", NetLab.BRIDGE);
        long start = System.nanoTime();
        Process p = hook.start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("the lease hook took over 10 s");
        }
        times[i] = (System.nanoTime() - start) / 1e6;
      }
      return BenchCommand.percentile(times, 0.50);
    } finally {
      standIn.stop(0);
    }
  }

  private static double since(long start, JsonNode at) {
    return at.isNull() || at.isMissingNode() ? -1 : (at.asLong() - start) / 1e6;
  }

  private static void stop(Process process, Watch watching, NetworkedOperator started) {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (watching != null) {
      watching.close();
    }
    if (started != null) {
      started.close();
    }
  }

  @Override
  public void close() {
    stop(timer, watch, net);
    client.close();
    mock.destroy();
  }
}
