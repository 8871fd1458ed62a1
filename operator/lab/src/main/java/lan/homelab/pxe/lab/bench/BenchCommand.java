package lan.homelab.pxe.lab.bench;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.lab.net.NetLab;
import lan.homelab.pxe.sync.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./pxe-operator bench}: measures the operator on this machine and writes BENCHMARKS.md,
 * each figure beside a baseline from the same run. Measured: burst claims (N PXE discoveries at
 * once over HTTP against N slots on the fabric8 mock API, against N plain creates on the same API),
 * the operator's resident memory after start and after the burst, and its time to ready (child JVM
 * with the image's flags), dnsmasq's reload cost, and with root, dnsmasq and nginx (else reported
 * as not measured, or skipped with {@code --skip-network}): discovery to reservation through real
 * dnsmasq in network namespaces, answer POSTs and boot-asset downloads through a real nginx from
 * the rendered configuration on loopback.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure claims, memory and start-up; print a table and write BENCHMARKS.md.")
public class BenchCommand implements Callable<Integer> {
  static final String NS = "pxe-system";
  static final String HOOK = "bench-hook-token-0123456789abcdef";
  static final List<String> IMAGE_JVM_FLAGS =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:MaxRAM=192m",
          "-XX:MaxRAMPercentage=40",
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=30",
          "-Xmn8m",
          "-XX:TieredStopAtLevel=1",
          "-Xss512k",
          "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");

  /** The image's environment for the JVM (jib's container environment in operator/pom.xml). */
  static final Map<String, String> IMAGE_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

  @Option(names = "--machines", description = "machines and slots in the burst (default 500)")
  int machines = 500;

  @Option(names = "--out", description = "where to write the report (default BENCHMARKS.md)")
  Path out = Path.of("BENCHMARKS.md");

  @Option(names = "--timeout", description = "seconds to wait for the burst (default 120)")
  int timeoutSeconds = 120;

  @Option(
      names = "--skip-network",
      description = "skip the rows that need root, dnsmasq and nginx (network namespaces)")
  boolean skipNetwork;

  @Option(
      names = "--net-machines",
      description =
          "PXE clients timed one after another through real dnsmasq, after one cold one"
              + " reported on its own (default 25)")
  int netMachines = 25;

  @Option(
      names = "--answer-requests",
      description = "answer POSTs (and as many static GETs) through nginx (default 4000)")
  int answerRequests = 4000;

  @Option(names = "--clients", description = "concurrent HTTP clients against nginx (default 16)")
  int clients = 16;

  @Option(
      names = "--asset-mib",
      description = "size of the boot asset downloaded through nginx, MiB (default 256)")
  int assetMib = 256;

  private final List<String[]> rows = new ArrayList<>();

  /** The bare SIGHUP reload with 10 reservations, ms (NaN until measured). */
  private double reloadBaseMillis = Double.NaN;

  /** API requests the API server saw during the burst, by method and resource. */
  private Map<String, Integer> requestsPerClaim = Map.of();

  /** The mock server logs every request at INFO; held here so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  @Override
  public Integer call() throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    // The network rows run an operator in this JVM: its INFO lines would bury the table.
    for (String quiet : List.of("lan.homelab.pxe", "io.javaoperatorsdk", "io.fabric8")) {
      System.setProperty("org.slf4j.simpleLogger.log." + quiet, "warn");
    }
    if (netMachines < 1 || netMachines > 240) {
      throw new IllegalArgumentException("--net-machines must be 1..240");
    }
    if (answerRequests < 1 || clients < 1 || clients > 256 || assetMib < 1 || assetMib > 4096) {
      throw new IllegalArgumentException(
          "--answer-requests must be >= 1, --clients 1..256, --asset-mib 1..4096");
    }
    KubernetesMockServer server = mockServer();
    Process child = null;
    try (KubernetesClient client = server.createClient()) {
      seed(client);
      double createsPerSecond = rawCreates(client);
      createSlots(client);

      Instant spawned = Instant.now();
      child = startOperator(client.getMasterUrl().toString());
      int port = readPort(child);
      long readyMs = awaitReady(port, spawned);
      long rssStart = rssKiB(child.pid());

      long settledMs = awaitSlotsAvailable(client, spawned);
      drainRequests(server);
      BurstResult burst = burst(client, port);
      long rssBurst = rssKiB(child.pid());
      requestsPerClaim = drainRequests(server);

      double claimsPerSecond = burst.claimed / (burst.millis / 1000.0);
      boolean all = burst.claimed == machines;
      row(
          "burst: " + machines + " claims, time to all claimed",
          all
              ? burst.millis + " ms"
              : "not reached: " + burst.claimed + " claimed after " + burst.millis + " ms",
          String.format(
              Locale.ROOT,
              "%.0f ms for %d plain creates",
              machines / createsPerSecond * 1000,
              machines),
          String.format(Locale.ROOT, "%.1fx", burst.millis / (machines / createsPerSecond * 1000)),
          "<= 5000 ms, 0 duplicates: "
              + (burst.millis <= 5000 && burst.duplicates == 0 ? "met" : "MISSED"));
      row(
          "burst: claims/s",
          String.format(Locale.ROOT, "%.0f /s", claimsPerSecond),
          String.format(Locale.ROOT, "%.0f creates/s", createsPerSecond),
          String.format(Locale.ROOT, "%.2f", claimsPerSecond / createsPerSecond),
          "");
      row(
          "burst: duplicates (slot held twice, MAC holding two)",
          String.valueOf(burst.duplicates),
          "0",
          "",
          burst.duplicates == 0 ? "met" : "MISSED");
      int requests = requestsPerClaim.values().stream().mapToInt(Integer::intValue).sum();
      row(
          "burst: API requests per claimed machine",
          String.format(Locale.ROOT, "%.1f", requests / (double) machines),
          "1 per plain create",
          String.format(Locale.ROOT, "%.1fx", requests / (double) machines),
          "");
      long selfRss = rssKiB(ProcessHandle.current().pid());
      row(
          "operator RSS after start",
          rssStart / 1024 + " MiB",
          selfRss / 1024 + " MiB (this bench JVM, default flags)",
          String.format(Locale.ROOT, "%.2f", rssStart / (double) selfRss),
          "<= 128 MiB: " + (rssStart <= 128 * 1024 ? "met" : "MISSED"));
      row(
          "operator RSS after the burst",
          rssBurst / 1024 + " MiB",
          rssStart / 1024 + " MiB (after start)",
          String.format(Locale.ROOT, "%.2f", rssBurst / (double) rssStart),
          "<= 128 MiB: " + (rssBurst <= 128 * 1024 ? "met" : "MISSED"));
      row(
          "operator start to all " + machines + " slots validated and Available",
          settledMs + " ms",
          readyMs + " ms to /readyz",
          String.format(Locale.ROOT, "%.1fx", settledMs / (double) readyMs),
          "");
      long jvmOnly = bareJvmMillis();
      row(
          "operator start to /readyz 200",
          readyMs + " ms",
          jvmOnly + " ms (bare JVM start and exit, same flags)",
          String.format(Locale.ROOT, "%.1fx", readyMs / (double) jvmOnly),
          "<= 3000 ms: " + (readyMs <= 3000 ? "met" : "MISSED"));
      dnsmasqReload();
      network("http://127.0.0.1:" + port);
      String report = report();
      System.out.println(table());
      System.out.println(requestBreakdown());
      Files.writeString(out, report);
      System.out.println("wrote " + out.toAbsolutePath());
      return burst.duplicates == 0 ? 0 : 1;
    } finally {
      if (child != null) {
        child.getOutputStream().close();
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
      server.destroy();
    }
  }

  /** Reload cost of a real dnsmasq in a namespace of its own; skipped without root or dnsmasq. */
  private void dnsmasqReload() throws Exception {
    if (!DnsmasqReload.available()) {
      row(
          "dnsmasq reload with 10 / 1,000 / 10,000 reservations",
          "not measured: needs root and dnsmasq",
          "",
          "",
          "");
      return;
    }
    try (DnsmasqReload reload = new DnsmasqReload()) {
      double base = reload.reloadMillis(10, 7);
      reloadBaseMillis = base;
      for (int n : new int[] {10, 1_000, 10_000}) {
        double ms = n == 10 ? base : reload.reloadMillis(n, 7);
        row(
            "dnsmasq SIGHUP reload, " + n + " reservations (median of 7)",
            String.format(Locale.ROOT, "%.1f ms", ms),
            String.format(Locale.ROOT, "%.1f ms with 10", base),
            String.format(Locale.ROOT, "%.1fx", ms / base),
            "");
      }
    }
  }

  static final String ROW_DISCOVERY =
      "discovery -> reservation answered by real dnsmasq: p50 / p99";
  static final String ROW_DISCOVERY_PARTS =
      "discovery -> reservation: where the time goes (medians)";
  static final String ROW_ANSWER =
      "answer POST through nginx (installer's body, request limits off): req/s, p99";
  static final String ROW_ASSET =
      "boot-asset throughput through nginx on loopback (connection limit off)";

  /**
   * The rows that need the network harness: discovery to reservation through real dnsmasq in
   * namespaces, answer POSTs and boot-asset downloads through a real nginx on loopback.
   *
   * @param operatorUrl the bench's operator, where nginx sends its notifications
   */
  private void network(String operatorUrl) throws Exception {
    List<String> missing = new ArrayList<>();
    if (!skipNetwork) {
      missing.addAll(DiscoveryLatency.missingPrerequisites());
      for (String m : NginxBench.missingPrerequisites()) {
        if (!missing.contains(m)) {
          missing.add(m);
        }
      }
    }
    String skipped =
        skipNetwork
            ? "not measured: skipped (--skip-network)"
            : missing.isEmpty()
                ? null
                : "not measured: needs root, dnsmasq and nginx (missing: "
                    + String.join(", ", missing)
                    + ")";
    if (skipped != null) {
      for (String what : List.of(ROW_DISCOVERY, ROW_ANSWER, ROW_ASSET)) {
        row(what, skipped, "", "", "");
      }
      return;
    }
    Path work = Files.createTempDirectory("pxe-bench-net");
    Files.setPosixFilePermissions(work, AtomicFiles.DIR); // dnsmasq and nginx workers: nobody
    boolean ok = true;
    try {
      discovery(work.resolve("dhcp"));
    } catch (Exception e) {
      ok = false;
      failed(ROW_DISCOVERY, e, work);
    }
    try {
      nginx(work.resolve("nginx"), operatorUrl);
    } catch (Exception e) {
      ok = false;
      failed(ROW_ANSWER + " / " + ROW_ASSET, e, work);
    }
    if (ok) {
      deleteTree(work);
    }
  }

  /** A row whose measurement broke: the reason and where its logs are, never a figure. */
  private void failed(String what, Exception e, Path logs) {
    e.printStackTrace();
    String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    row(
        what,
        "not measured: failed ("
            + e.getClass().getSimpleName()
            + ": "
            + reason.replace('|', '/')
            + "; logs in "
            + logs
            + ")",
        "",
        "",
        "");
  }

  private void discovery(Path work) throws Exception {
    List<DiscoveryLatency.Machine> all;
    double hook;
    try (DiscoveryLatency d = new DiscoveryLatency(work, netMachines + 1)) {
      all = d.run(netMachines + 1);
      hook = d.hookMillis(7);
    }
    for (DiscoveryLatency.Machine m : all) {
      System.out.println("discovery timeline " + m.mac() + ": " + timeline(m));
    }
    // The first machine after the operator started pays for class loading and JIT of every
    // step on the way; it is reported on its own, the rest make the percentiles.
    DiscoveryLatency.Machine cold = all.get(0);
    List<DiscoveryLatency.Machine> machines = all.subList(1, all.size());
    List<DiscoveryLatency.Machine> answered =
        machines.stream().filter(DiscoveryLatency.Machine::answered).toList();
    if (answered.isEmpty()) {
      row(ROW_DISCOVERY, "not reached: no machine got its slot address", "", "", "MISSED");
      return;
    }
    double[] total = answered.stream().mapToDouble(DiscoveryLatency.Machine::answer).toArray();
    double p50 = percentile(total, 0.50);
    double p99 = percentile(total, 0.99);
    String figure =
        String.format(
            Locale.ROOT,
            "p50 %.0f ms / p99 %.0f ms (%d of %d machines%s)",
            p50,
            p99,
            answered.size(),
            machines.size(),
            answered.size() == machines.size() ? "" : "; the rest never got it");
    boolean met = p99 <= 300 && answered.size() == machines.size();
    row(
        ROW_DISCOVERY,
        figure,
        Double.isNaN(reloadBaseMillis)
            ? "bare reload not measured"
            : String.format(
                Locale.ROOT,
                "%.1f ms bare dnsmasq SIGHUP reload (10 reservations)",
                reloadBaseMillis),
        Double.isNaN(reloadBaseMillis)
            ? ""
            : String.format(Locale.ROOT, "%.0fx", p99 / reloadBaseMillis),
        "p99 <= 300 ms: " + (met ? "met" : "MISSED"));
    row(
        ROW_DISCOVERY_PARTS,
        String.format(
            Locale.ROOT,
            "pool ACK %.0f ms; NodeInstall created (lease hook -> operator) %.0f ms; Installing"
                + " (claimed) %.0f ms; hosts file written %.0f ms; slot address offered %.0f ms",
            median(answered, DiscoveryLatency.Machine::ack),
            median(answered, DiscoveryLatency.Machine::created),
            median(answered, DiscoveryLatency.Machine::installing),
            median(answered, DiscoveryLatency.Machine::hostsFile),
            median(answered, DiscoveryLatency.Machine::answer)),
        String.format(
            Locale.ROOT,
            "after the first DISCOVER; the client asks again every %d ms after its ACK; the lease"
                + " hook alone (shell + curl to a stand-in answering 202 at once): %.0f ms",
            DiscoveryLatency.PROBE_MILLIS,
            hook),
        "",
        "");
    List<DiscoveryLatency.Machine> byTime =
        answered.stream()
            .sorted(java.util.Comparator.comparingDouble(DiscoveryLatency.Machine::answer))
            .toList();
    DiscoveryLatency.Machine slowest = byTime.get(byTime.size() - 1);
    row(
        "discovery -> reservation: the slowest machine",
        timeline(slowest),
        "the median machine: " + timeline(byTime.get((byTime.size() - 1) / 2)),
        "",
        "");
    row(
        "discovery -> reservation: the first machine after the operator started (cold; not in"
            + " p50/p99)",
        cold.answered() ? timeline(cold) : "not reached: " + timeline(cold),
        "",
        "",
        "");
  }

  private void nginx(Path work, String operatorUrl) throws Exception {
    Files.createDirectories(work);
    Files.setPosixFilePermissions(work, AtomicFiles.DIR);
    byte[] body;
    try (InputStream in = NetLab.class.getResourceAsStream("fake-installer-answer-request.json")) {
      body =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("@MAC_UPPER@", "52:54:00:BE:00:01")
              .getBytes(StandardCharsets.UTF_8);
    }
    try (NginxBench nginx = new NginxBench(work, operatorUrl, HOOK, assetMib * 1048576L)) {
      int warmUp = Math.min(answerRequests, 4 * clients);
      nginx.load(nginx.answerPost(body), warmUp, clients);
      nginx.load(nginx.staticGet(), warmUp, clients);
      NginxBench.Load post = nginx.load(nginx.answerPost(body), answerRequests, clients);
      NginxBench.Load get = nginx.load(nginx.staticGet(), answerRequests, clients);
      NginxBench.Load notify =
          nginx.load(
              NginxBench.answerServedNotification(operatorUrl, HOOK, body),
              answerRequests,
              clients,
              404,
              null);
      row(
          ROW_ANSWER,
          String.format(
              Locale.ROOT,
              "%.0f req/s, p99 %.1f ms (p50 %.1f; %d requests, %d clients; the operator's API"
                  + " holds %d NodeInstalls)",
              post.perSecond(),
              post.p99Millis(),
              post.p50Millis(),
              post.requests(),
              clients,
              machines),
          String.format(
              Locale.ROOT,
              "%.0f req/s, p99 %.1f ms: static GET of the same file (the operator's"
                  + " answer-served notification alone, which nginx mirrors to it: %.0f req/s,"
                  + " p99 %.1f ms)",
              get.perSecond(),
              get.p99Millis(),
              notify.perSecond(),
              notify.p99Millis()),
          String.format(Locale.ROOT, "%.2f", post.perSecond() / get.perSecond()),
          "");
      nginx.assetMibPerSecond(1);
      double through = nginx.assetMibPerSecond(5);
      double disk = nginx.fileMibPerSecond(5);
      row(
          ROW_ASSET + " (" + assetMib + " MiB, curl, median of 5)",
          NginxBench.mib(through),
          NginxBench.mib(disk) + ": cat of the same file (page cache)",
          String.format(Locale.ROOT, "%.2f", through / disk),
          "");
    }
  }

  private static String timeline(DiscoveryLatency.Machine m) {
    return String.format(
        Locale.ROOT,
        "ACK %.0f, created %.0f, Installing %.0f, hosts file %.0f, offered %s %.0f ms",
        m.ack(),
        m.created(),
        m.installing(),
        m.hostsFile(),
        m.address(),
        m.answer());
  }

  private static double median(
      List<DiscoveryLatency.Machine> machines,
      java.util.function.ToDoubleFunction<DiscoveryLatency.Machine> part) {
    return percentile(machines.stream().mapToDouble(part).toArray(), 0.50);
  }

  /** Nearest-rank percentile. */
  static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)];
  }

  private static void deleteTree(Path root) throws IOException {
    try (var files = Files.walk(root)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  /** A fabric8 mock API server (CRUD mode) on loopback, started. */
  static KubernetesMockServer mockServer() {
    var responses =
        new HashMap<
            io.fabric8.mockwebserver.ServerRequest,
            java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return server;
  }

  /** The CRDs, the namespace and the two Secrets the operator needs. */
  static void seed(KubernetesClient client) throws IOException {
    for (String crd : List.of("provisioningslots", "nodeinstalls")) {
      try (InputStream in =
          BenchCommand.class.getResourceAsStream(
              "/META-INF/fabric8/" + crd + ".pxe.homelab.lan-v1.yml")) {
        CustomResourceDefinition d =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(d).create();
      }
    }
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    secret(client, Names.SECRET_DHCP_HOOK, Names.KEY_TOKEN, HOOK);
    secret(client, Names.SECRET_ROOT_PASSWORD, "password", "bench-root-password-0123");
  }

  private static void secret(KubernetesClient client, String name, String key, String value) {
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToData(
                    key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
  }

  /** Baseline: the same API's create rate for plain objects, from 16 threads. */
  private double rawCreates(KubernetesClient client) throws Exception {
    long start = System.nanoTime();
    parallel(
        i ->
            client
                .configMaps()
                .inNamespace(NS)
                .resource(
                    new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("bench-" + i)
                        .endMetadata()
                        .addToData("i", String.valueOf(i))
                        .build())
                .create());
    double seconds = (System.nanoTime() - start) / 1e9;
    client.configMaps().inNamespace(NS).list().getItems().stream()
        .filter(cm -> cm.getMetadata().getName().startsWith("bench-"))
        .forEach(cm -> client.resource(cm).delete());
    return machines / seconds;
  }

  private void createSlots(KubernetesClient client) throws Exception {
    long base = Ipv4.parse("10.11.0.10").bits();
    parallel(
        i -> {
          ProvisioningSlot slot = new ProvisioningSlot();
          slot.getMetadata().setName("slot-" + i);
          slot.getMetadata().setNamespace(NS);
          ProvisioningSlotSpec spec = new ProvisioningSlotSpec();
          spec.setAddress(new Ipv4(base + i).toString());
          slot.setSpec(spec);
          client.resources(ProvisioningSlot.class).inNamespace(NS).resource(slot).create();
        });
  }

  /**
   * Waits until the operator has reconciled every slot once (each shows phase Available), so the
   * burst measures claims rather than the start-up pass over the queue.
   *
   * @return milliseconds from the operator's spawn
   */
  private long awaitSlotsAvailable(KubernetesClient client, Instant spawned) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      long available =
          client.resources(ProvisioningSlot.class).inNamespace(NS).list().getItems().stream()
              .filter(s -> s.getStatus() != null && s.getStatus().getPhase() == SlotPhase.Available)
              .count();
      if (available == machines) {
        return Duration.between(spawned, Instant.now()).toMillis();
      }
      Thread.sleep(100); // polling the API server; the bench is not a test
    }
    throw new IllegalStateException("the slots were not all Available within the timeout");
  }

  /**
   * How long the burst took, duplicates found, and how many were claimed (all unless timed out).
   */
  private record BurstResult(long millis, int duplicates, long claimed) {}

  /** N DHCP events at once over HTTP, then the time until every machine holds a slot. */
  private BurstResult burst(KubernetesClient client, int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Set<String> claimedNames = ConcurrentHashMap.newKeySet();
    Object progress = new Object();
    ResourceEventHandler<NodeInstall> onClaim =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(NodeInstall ni) {
            onUpdate(null, ni);
          }

          @Override
          public void onUpdate(NodeInstall before, NodeInstall ni) {
            if (ni.getStatus() != null
                && ni.getStatus().getPhase() == NodeInstallPhase.Installing
                && ni.getSpec().getSlot() != null
                && claimedNames.add(ni.getMetadata().getName())) {
              synchronized (progress) {
                progress.notifyAll();
              }
            }
          }

          @Override
          public void onDelete(NodeInstall ni, boolean unknown) {}
        };
    long start;
    try (SharedIndexInformer<NodeInstall> watch =
        client.resources(NodeInstall.class).inNamespace(NS).inform(onClaim, 0)) {
      start = System.nanoTime();
      parallel(
          i -> {
            String mac =
                String.format("52:54:00:%02x:%02x:%02x", (i >> 16) & 255, (i >> 8) & 255, i & 255);
            String body =
                "{\"action\":\"add\",\"mac\":\""
                    + mac
                    + "\",\"ip\":\"10.11.3.200\","
                    + "\"vendorClass\":\"PXEClient:Arch:00007:UNDI:003016\"}";
            try {
              HttpResponse<String> r =
                  http.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/v1/dhcp-events"))
                          .timeout(Duration.ofSeconds(30))
                          .header("Content-Type", "application/json")
                          .header(Names.HEADER_HOOK_TOKEN, HOOK)
                          .POST(HttpRequest.BodyPublishers.ofString(body))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 202) {
                throw new IllegalStateException(
                    "discovery " + mac + ": " + r.statusCode() + " " + r.body());
              }
            } catch (IOException | InterruptedException e) {
              throw new IllegalStateException(e);
            }
          });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      synchronized (progress) {
        while (claimedNames.size() < machines && System.nanoTime() < deadline) {
          progress.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    long claimed = claimedNames.size();
    List<NodeInstall> installs =
        client.resources(NodeInstall.class).inNamespace(NS).list().getItems();
    Set<String> slots = new HashSet<>();
    int duplicates = 0;
    for (NodeInstall ni : installs) {
      if (ni.getSpec().getSlot() != null && !slots.add(ni.getSpec().getSlot())) {
        duplicates++;
      }
    }
    Set<String> holders = new HashSet<>();
    for (ProvisioningSlot s :
        client.resources(ProvisioningSlot.class).inNamespace(NS).list().getItems()) {
      String holder =
          s.getMetadata().getLabels() == null
              ? null
              : s.getMetadata().getLabels().get(ApiConstants.LABEL_CLAIMED_BY);
      if (holder != null && !holders.add(holder)) {
        duplicates++;
      }
    }
    return new BurstResult(millis, duplicates, claimed);
  }

  /**
   * Takes every request the mock recorded so far and counts them by method and resource, e.g.
   * {@code PUT provisioningslots} or {@code PATCH nodeinstalls/status}; watches are not counted.
   */
  private static Map<String, Integer> drainRequests(KubernetesMockServer server)
      throws InterruptedException {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 10_000_000; i++) {
      RecordedRequest r = server.takeRequest(1, TimeUnit.MILLISECONDS);
      if (r == null) {
        break;
      }
      String path = r.getPath();
      if (path.contains("watch=true")) {
        continue;
      }
      int query = path.indexOf('?');
      String[] parts = (query < 0 ? path : path.substring(0, query)).split("/");
      int ns = List.of(parts).indexOf("namespaces");
      String resource;
      if (ns >= 0 && parts.length > ns + 2) {
        resource = parts[ns + 2] + (parts.length > ns + 4 ? "/" + parts[ns + 4] : "");
      } else {
        resource = parts.length > 0 ? parts[parts.length - 1] : path;
      }
      counts.merge(r.getMethod() + " " + resource, 1, Integer::sum);
    }
    return counts;
  }

  private void parallel(IntConsumer task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < machines; i++) {
        int n = i;
        futures.add(pool.submit(() -> task.accept(n)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(IMAGE_JVM_FLAGS);
    return cmd;
  }

  private static Process startOperator(String masterUrl) throws IOException {
    List<String> cmd = javaCommand();
    String extra = System.getenv("PXE_BENCH_OPERATOR_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.strip().split("\\s+")));
    }
    cmd.addAll(
        List.of(
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            BenchOperator.class.getName(),
            masterUrl));
    ProcessBuilder operator =
        new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    operator.environment().putAll(IMAGE_ENVIRONMENT);
    return operator.start();
  }

  private static int readPort(Process child) throws IOException {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (line.startsWith("PORT ")) {
        return Integer.parseInt(line.substring(5).strip());
      }
    }
    throw new IllegalStateException("the operator exited before it served HTTP");
  }

  private static long awaitReady(int port, Instant spawned) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
            .timeout(Duration.ofSeconds(5))
            .build();
    for (int i = 0; i < 60_000; i++) {
      if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
        return Duration.between(spawned, Instant.now()).toMillis();
      }
      Thread.sleep(1); // polling a child process; the bench is not a test
    }
    throw new IllegalStateException("the operator never became ready");
  }

  /** Baseline for start-up: a JVM with the same flags that starts and exits. */
  private static long bareJvmMillis() throws Exception {
    List<String> cmd = javaCommand();
    cmd.add("-version");
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    p.waitFor();
    return (System.nanoTime() - start) / 1_000_000;
  }

  static long rssKiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  private void row(String what, String figure, String baseline, String ratio, String target) {
    rows.add(new String[] {what, figure, baseline, ratio, target});
  }

  private String table() {
    StringBuilder b =
        new StringBuilder("| Measure | Figure | Baseline (same run) | Ratio | Target |\n");
    b.append("|---|---|---|---|---|\n");
    for (String[] r : rows) {
      b.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return b.toString();
  }

  private String report() throws IOException {
    Runtime rt = Runtime.getRuntime();
    long totalKiB = 0;
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        totalKiB = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return "# Benchmarks\n\n"
        + "Written by `./pxe-operator bench` (operator/lab/.../bench/BenchCommand.java).\n\n"
        + "- Date: "
        + Instant.now()
        + "\n"
        + "- Machine: "
        + rt.availableProcessors()
        + " cores, "
        + totalKiB / 1024 / 1024
        + " GiB RAM, "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version")
        + "\n"
        + "- Java: "
        + System.getProperty("java.vm.name")
        + " "
        + System.getProperty("java.version")
        + "\n"
        + "- Operator JVM flags (as in the image): "
        + String.join(" ", IMAGE_JVM_FLAGS)
        + "\n"
        + "- API server: fabric8 kubernetes-server-mock (CRUD) on loopback, in the bench JVM; "
        + machines
        + " slots, "
        + machines
        + " discoveries sent at once over HTTP from 16 threads\n"
        + "- Bench JVM: "
        + ManagementFactory.getRuntimeMXBean().getInputArguments()
        + "\n\n"
        + table()
        + "\n"
        + requestBreakdown();
  }

  private String requestBreakdown() {
    StringBuilder b =
        new StringBuilder("API requests during the burst (watches not counted), per machine:\n\n");
    requestsPerClaim.forEach(
        (what, n) ->
            b.append(String.format(Locale.ROOT, "- `%s`: %.2f%n", what, n / (double) machines)));
    return b.toString();
  }
}
