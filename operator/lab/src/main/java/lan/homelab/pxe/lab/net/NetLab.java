package lan.homelab.pxe.lab.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lan.homelab.pxe.claim.Mac;

/**
 * A throw-away LAN in network namespaces: a server namespace with bridge {@code br0} holding the
 * server address (10.11.0.1/22), client namespaces on veth pairs, and the processes started inside
 * them (dnsmasq supervised, nginx, helpers). Names carry a per-run prefix ({@code pxe<jvm
 * pid>x<n>}), so parallel runs never clash; {@link #close()} (also run by a shutdown hook) kills
 * exactly the processes it started and deletes exactly its namespaces, and {@link #create} first
 * sweeps namespaces left by runs whose JVM is gone.
 */
public final class NetLab implements AutoCloseable {
  /** Bridge inside the server namespace: the interface dnsmasq binds to. */
  public static final String BRIDGE = "br0";

  /** Debian's python3 (with python3-scapy), not whatever python3 comes first on PATH. */
  public static final String PYTHON = "/usr/bin/python3";

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Pattern OURS = Pattern.compile("pxe(\\d+)x\\d+-.*");

  private final String id;
  private final Path workDir;
  private final String serverAddressCidr;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final List<Supervised> supervised = new ArrayList<>();
  private final Thread shutdownHook;
  private int clients;
  private boolean closed;
  private int uplink;

  private NetLab(Path workDir, String serverAddressCidr) {
    this.id = "pxe" + ProcessHandle.current().pid() + "x" + RUNS.incrementAndGet();
    this.workDir = workDir;
    this.serverAddressCidr = serverAddressCidr;
    this.shutdownHook = new Thread(this::close, "netlab-teardown-" + id);
  }

  /**
   * Creates the server namespace and bridge. Needs root, iproute2.
   *
   * @param workDir logs and scripts of this run
   * @param serverAddressCidr the server's address on the bridge, e.g. 10.11.0.1/22
   */
  public static NetLab create(Path workDir, String serverAddressCidr) throws IOException {
    sweepLeftovers();
    Files.createDirectories(workDir);
    NetLab lab = new NetLab(workDir, serverAddressCidr);
    Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
    try {
      String srv = lab.serverNamespace();
      lab.addNamespace(srv);
      Cmd.check("ip", "-n", srv, "link", "set", "lo", "up");
      Cmd.check("ip", "-n", srv, "link", "add", BRIDGE, "type", "bridge", "forward_delay", "0");
      Cmd.check("ip", "-n", srv, "addr", "add", serverAddressCidr, "dev", BRIDGE);
      Cmd.check("ip", "-n", srv, "link", "set", BRIDGE, "up");
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  /**
   * What this machine lacks to run a lab network with the given tools: root (network namespaces)
   * and each tool not found on PATH, /usr/sbin or /sbin. Empty when everything is there.
   */
  public static List<String> missingPrerequisites(String... tools) {
    List<String> missing = new ArrayList<>();
    if (!"0".equals(Cmd.run("id", "-u").out().trim())) {
      missing.add("root (network namespaces)");
    }
    for (String tool : tools) {
      boolean found = false;
      for (String dir :
          (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
        found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
      }
      if (!found) {
        missing.add(tool);
      }
    }
    return missing;
  }

  /** Deletes namespaces (and kills their processes) of earlier runs whose JVM no longer runs. */
  public static void sweepLeftovers() {
    for (String ns : listNamespaces()) {
      Matcher m = OURS.matcher(ns);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        deleteNamespace(ns);
      }
    }
  }

  static List<String> listNamespaces() {
    List<String> names = new ArrayList<>();
    for (String line : Cmd.run("ip", "netns", "list").out().split("\n")) {
      String name = line.trim().split("\\s+")[0];
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  private static void deleteNamespace(String ns) {
    for (String pid : Cmd.run("ip", "netns", "pids", ns).out().split("\\s+")) {
      if (pid.matches("\\d+")) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    Cmd.run("ip", "netns", "del", ns);
  }

  public String id() {
    return id;
  }

  public Path workDir() {
    return workDir;
  }

  public String serverNamespace() {
    return id + "-srv";
  }

  /** The bridge's MAC address (for unicast probes). */
  public String bridgeMac() {
    String out = Cmd.check("ip", "-n", serverNamespace(), "-o", "link", "show", BRIDGE);
    Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no MAC on " + BRIDGE + ": " + out);
    }
    return m.group(1);
  }

  private void addNamespace(String ns) {
    Cmd.check("ip", "netns", "add", ns);
    synchronized (this) {
      namespaces.add(ns);
    }
  }

  /** A new client namespace whose {@code eth0} has the given MAC and hangs on the bridge. */
  public synchronized Client addClient(Mac mac) {
    int n = ++clients;
    String ns = id + "-c" + n;
    String port = "v" + n;
    addNamespace(ns);
    Cmd.check(
        "ip",
        "-n",
        serverNamespace(),
        "link",
        "add",
        port,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        ns);
    Cmd.check("ip", "-n", serverNamespace(), "link", "set", port, "master", BRIDGE, "up");
    Cmd.check("ip", "-n", ns, "link", "set", "eth0", "address", mac.value());
    Cmd.check("ip", "-n", ns, "link", "set", "lo", "up");
    Cmd.check("ip", "-n", ns, "link", "set", "eth0", "up");
    return new Client(this, ns, mac);
  }

  /**
   * A veth pair between the host namespace (where an in-process operator listens) and the server
   * namespace (where nginx and dnsmasq's hook call it): 169.254.X.1 on the host side, .2 inside.
   * Returns the host side's address. The pair disappears with the server namespace.
   */
  public synchronized String addUplink() {
    int x = (int) (ProcessHandle.current().pid() % 200) + RUNS.get() % 50 + 1;
    String hostSide = "u" + id.substring(3);
    if (hostSide.length() > 15) {
      hostSide = hostSide.substring(0, 15);
    }
    String hostAddress = "169.254." + x + ".1";
    Cmd.check(
        "ip",
        "link",
        "add",
        hostSide,
        "type",
        "veth",
        "peer",
        "name",
        "up0",
        "netns",
        serverNamespace());
    Cmd.check("ip", "addr", "add", hostAddress + "/30", "dev", hostSide);
    Cmd.check("ip", "link", "set", hostSide, "up");
    Cmd.check("ip", "-n", serverNamespace(), "addr", "add", "169.254." + x + ".2/30", "dev", "up0");
    Cmd.check("ip", "-n", serverNamespace(), "link", "set", "up0", "up");
    uplink = x;
    return hostAddress;
  }

  /** A pod's network namespace and its address on the node's pod network. */
  public record PodNetwork(String namespace, String address) {}

  /**
   * A pod network namespace behind the server namespace, as a node's pod network (k3s:
   * 10.42.0.0/16) is: its {@code eth0} holds 10.42.X.2/24, the server namespace routes to it (and
   * forwards between it and the uplink, so a pod reaches an API on the uplink's host side). Needs
   * {@link #addUplink} first. Gone with the server namespace.
   */
  public synchronized PodNetwork addPodNetwork(String name) {
    if (uplink == 0) {
      throw new IllegalStateException("addUplink first: pods reach the API through it");
    }
    String ns = id + "-" + name;
    addNamespace(ns);
    String srv = serverNamespace();
    String subnet = "10.42." + uplink;
    Cmd.check("ip", "-n", ns, "link", "set", "lo", "up");
    Cmd.check(
        "ip", "-n", srv, "link", "add", "pod0", "type", "veth", "peer", "name", "eth0", "netns",
        ns);
    Cmd.check("ip", "-n", srv, "addr", "add", subnet + ".1/24", "dev", "pod0");
    Cmd.check("ip", "-n", srv, "link", "set", "pod0", "up");
    Cmd.check("ip", "-n", ns, "addr", "add", subnet + ".2/24", "dev", "eth0");
    Cmd.check("ip", "-n", ns, "link", "set", "eth0", "up");
    Cmd.check("ip", "-n", ns, "route", "add", "default", "via", subnet + ".1");
    Cmd.check("ip", "netns", "exec", srv, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    // Back from the uplink's host side (the API) to the pod: removed with the uplink's veth.
    Cmd.check("ip", "route", "add", subnet + ".0/24", "via", "169.254." + uplink + ".2");
    return new PodNetwork(ns, subnet + ".2");
  }

  /** A tap device in the server namespace, on the bridge, for a QEMU machine. */
  public synchronized String addTap() {
    String tap = "t" + (++clients);
    Cmd.check("ip", "-n", serverNamespace(), "tuntap", "add", "dev", tap, "mode", "tap");
    Cmd.check("ip", "-n", serverNamespace(), "link", "set", tap, "master", BRIDGE, "up");
    return tap;
  }

  /** Starts a process in a namespace; it is killed on {@link #close()}. */
  public synchronized Process start(String netns, List<String> command, String logName)
      throws IOException {
    Process p =
        new ProcessBuilder(Cmd.inNamespace(netns, command))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log(logName).toFile()))
            .start();
    processes.add(p);
    return p;
  }

  /** Starts a process in the server namespace that is restarted whenever it exits. */
  public synchronized Supervised supervise(
      String name, List<String> command, java.util.Map<String, String> env) throws IOException {
    Supervised s =
        new Supervised(name, Cmd.inNamespace(serverNamespace(), command), log(name), env);
    supervised.add(s);
    return s;
  }

  /** Runs a short command in a namespace and returns what it printed. */
  public Cmd.Result exec(String netns, List<String> command, long timeoutSeconds) {
    return Cmd.run(Cmd.inNamespace(netns, command), timeoutSeconds);
  }

  /** The run's log file of that name. */
  public Path log(String name) {
    return workDir.resolve(name + ".log");
  }

  /** Copies a harness resource (script) into the work dir, executable. */
  public synchronized Path script(String resource) throws IOException {
    Path target = workDir.resolve(resource);
    if (!Files.exists(target)) {
      try (InputStream in = NetLab.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IOException("missing harness resource " + resource);
        }
        Files.copy(in, target);
      }
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return target;
  }

  public String serverAddressCidr() {
    return serverAddressCidr;
  }

  /** Kills what this run started (exact PIDs) and deletes its namespaces (exact names). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Supervised s : supervised) {
      s.stop();
    }
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      deleteNamespace(namespaces.get(i));
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook itself is running this
    }
  }
}
