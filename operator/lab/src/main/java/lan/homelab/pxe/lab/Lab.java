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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.api.EmbeddedApiServer;
import lan.homelab.pxe.lab.net.NetLab;
import lan.homelab.pxe.lab.net.NetworkMachine;
import lan.homelab.pxe.lab.net.NetworkedOperator;
import lan.homelab.pxe.lab.sim.MachineFleet;
import lan.homelab.pxe.lab.sim.SimulatedMachine;
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
      boolean terminal,
      boolean realNetwork,
      boolean external) {
    /** Simulated DHCP and nginx at the HTTP layer. */
    public Options(
        int machines,
        boolean exitWhenDone,
        Duration timeout,
        int apiPort,
        Path kubeconfig,
        boolean terminal) {
      this(machines, exitWhenDone, timeout, apiPort, kubeconfig, terminal, false, false);
    }
  }

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
  private NetworkedOperator net;
  private Path netWork;
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
    if (options.realNetwork()) {
      return startOnRealNetwork();
    }
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
    startView();
    return this;
  }

  /**
   * Seeds the API, then brings up the lab LAN (namespaces, bridge, real dnsmasq and nginx, the
   * boot-pod sync) with the operator on it, and prints where its status page is and the network.
   */
  private Lab startOnRealNetwork() throws IOException {
    String namespace = OperatorSettings.defaults().namespace();
    Path kubeconfig = api.writeKubeconfig(options.kubeconfig(), namespace);
    client = connect(namespace);
    hookToken = LabSeed.apply(client, namespace);
    // dnsmasq and nginx drop to unprivileged users: they must reach the boot files
    netWork =
        Files.createTempDirectory(
            "pxe-lab-net-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    net = NetworkedOperator.onApi(netWork, client, false);
    settings = net.settings();
    out.println("Status: " + net.operatorUrl() + "/");
    out.println("Kubeconfig: " + kubeconfig.toAbsolutePath());
    out.println(
        "  try: kubectl --kubeconfig " + kubeconfig + " get nodeinstalls,provisioningslots");
    out.println("Network: namespace " + net.lab().serverNamespace() + " bridge " + NetLab.BRIDGE);
    out.println(
        "Real dnsmasq and nginx on "
            + settings.serverAddress()
            + " in that namespace; nginx on "
            + settings.bootHttpUrl()
            + ".");
    out.flush();
    startView();
    return this;
  }

  private KubernetesClient connect(String namespace) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl(api.url())
                .withNamespace(namespace)
                .withOnlyHttpWatches(true)
                .build())
        .build();
  }

  private void startView() {
    view = new StatusView(out, options.terminal(), clock);
    viewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lab-view");
              t.setDaemon(true);
              return t;
            });
    viewer.scheduleAtFixedRate(this::refreshView, 0, VIEW_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
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
    if (net != null) {
      List<NetworkMachine> machines = new ArrayList<>();
      for (int i = 0; i < options.machines(); i++) {
        machines.add(new NetworkMachine(net, SimulatedMachine.macOf(i), clock, this::note));
      }
      fleet =
          new MachineFleet(machines, client, settings.namespace(), clock, this::note)
              .start(deadline);
      return fleet;
    }
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
    stop(net);
    stop(client);
    stop(network);
    stop(api);
    if (netWork != null) {
      try (var files = Files.walk(netWork)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        out.println("lab: could not delete " + netWork + ": " + e.getMessage());
      }
    }
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
