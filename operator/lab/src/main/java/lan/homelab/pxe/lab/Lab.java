package lan.homelab.pxe.lab;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.api.EmbeddedApiServer;
import lan.homelab.pxe.lab.sim.MachineFleet;
import lan.homelab.pxe.lab.sim.SimulatedNetwork;

/**
 * One run of the embedded lab: the lab-only API front, the seed, the operator itself (the code the
 * cluster runs) and a live view, torn down completely by {@link #close}.
 */
public final class Lab implements AutoCloseable {
  /** How the lab runs; see {@link LabCommand} for the meaning of each option. */
  public record Options(
      int machines,
      boolean exitWhenDone,
      Duration timeout,
      int apiPort,
      Path kubeconfig,
      boolean terminal) {}

  private static final Duration VIEW_PERIOD = Duration.ofMillis(500);

  private final Options options;
  private final PrintWriter out;
  private final Clock clock;
  private boolean closed;
  private EmbeddedApiServer api;
  private KubernetesClient client;
  private OperatorSettings settings;
  private OperatorMain operator;
  private ScheduledExecutorService viewer;
  private StatusView view;
  private String hookToken;
  private SimulatedNetwork network;
  private MachineFleet fleet;
  private Instant startedAt;

  public Lab(Options options, PrintWriter out, Clock clock) {
    this.options = options;
    this.out = out;
    this.clock = clock;
  }

  /**
   * Starts the API and prints its URL, the status URL and the kubeconfig path first, then seeds the
   * API and starts the operator.
   */
  public Lab start() throws IOException {
    startedAt = clock.instant();
    api = new EmbeddedApiServer(options.apiPort()).start();
    out.println("API: " + api.url());
    int httpPort = freeLoopbackPort();
    String namespace = OperatorSettings.defaults().namespace();
    out.println("Status: http://127.0.0.1:" + httpPort + "/");
    Path kubeconfig = api.writeKubeconfig(options.kubeconfig(), namespace);
    out.println("Kubeconfig: " + kubeconfig.toAbsolutePath());
    out.println(
        "  try: kubectl --kubeconfig " + kubeconfig + " get nodeinstalls,provisioningslots");
    out.flush();
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl(api.url())
                    .withNamespace(namespace)
                    .withOnlyHttpWatches(true)
                    .build())
            .build();
    hookToken = LabSeed.apply(client, namespace);
    network =
        new SimulatedNetwork(
                client,
                namespace,
                URI.create("http://127.0.0.1:" + httpPort),
                hookToken,
                OperatorSettings.defaults().discoveryPoolStart())
            .start(0);
    settings = settings(httpPort, network.url());
    out.println(
        "Simulating DHCP and nginx at the HTTP layer (boot files on "
            + network.url()
            + "); --real-network uses real dnsmasq and nginx.");
    out.flush();
    operator =
        new OperatorMain(client, settings, Clock.systemUTC()).withHttpHost("127.0.0.1").start();
    view = new StatusView(out, options.terminal(), clock);
    viewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lab-view");
              t.setDaemon(true);
              return t;
            });
    viewer.scheduleAtFixedRate(this::refreshView, 0, VIEW_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * The settings the lab's operator runs with: the seed network, its HTTP server on {@code
   * httpPort}, boot files and webhook through the nginx stand-in at {@code bootUrl}.
   */
  static OperatorSettings settings(int httpPort, String bootUrl) {
    return OperatorSettings.fromMap(
        Map.of(
            "httpPort", String.valueOf(httpPort), "bootHttpUrl", bootUrl, "webhookUrl", bootUrl));
  }

  /** Starts {@code options.machines()} simulated machines; they give up at {@code deadline}. */
  public MachineFleet startMachines(Instant deadline) {
    fleet =
        new MachineFleet(
                options.machines(), network, client, settings.namespace(), clock, this::note)
            .start(deadline);
    return fleet;
  }

  /** A line about what happens, shown above the live table. */
  public void note(String line) {
    if (view != null) {
      view.note(line);
    } else {
      out.println(line);
      out.flush();
    }
  }

  public String apiUrl() {
    return api.url();
  }

  public OperatorSettings operatorSettings() {
    return settings;
  }

  public KubernetesClient client() {
    return client;
  }

  /** The shared secret the lab's DHCP hook sends (header {@code X-Pxe-Hook-Token}). */
  public String hookToken() {
    return hookToken;
  }

  public List<NodeInstall> nodeInstalls() {
    return client.resources(NodeInstall.class).inNamespace(settings.namespace()).list().getItems();
  }

  /** Prints the closing summary of every machine. */
  public void printSummary() {
    refreshView();
    if (view != null) {
      view.release();
    }
    out.println();
    LabSummary.format(nodeInstalls(), Duration.between(startedAt, clock.instant()))
        .forEach(out::println);
    out.flush();
  }

  private void refreshView() {
    try {
      view.update(nodeInstalls());
    } catch (RuntimeException e) {
      // the API is going away while the lab stops; the next refresh (if any) tries again
    }
  }

  /**
   * Deletes the kubeconfig and stops the view, the machines, the operator, the stand-in and the
   * API. A second caller (the Ctrl-C hook racing the main thread) waits until the first is done, so
   * the JVM never exits halfway.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Files.deleteIfExists(options.kubeconfig());
    } catch (IOException e) {
      out.println("lab: could not delete " + options.kubeconfig() + ": " + e.getMessage());
    }
    if (viewer != null) {
      viewer.shutdownNow();
    }
    stop(fleet);
    stop(operator);
    stop(client);
    stop(network);
    stop(api);
  }

  /** Stops one part; a part that fails to stop does not keep the others running. */
  private void stop(AutoCloseable part) {
    if (part == null) {
      return;
    }
    try {
      part.close();
    } catch (Exception e) {
      out.println("lab: stopping " + part.getClass().getSimpleName() + " failed: " + e);
      out.flush();
    }
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
