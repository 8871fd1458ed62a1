package lan.homelab.pxe.lab;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import lan.homelab.pxe.lab.net.NetLab;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lab}: the whole system on this machine, no cluster needed. */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    description = {
      "Runs pxe-operator in an embedded lab: a lab-only Kubernetes API on 127.0.0.1, the seed's"
          + " five ProvisioningSlots and an example answer template, the operator itself (the code"
          + " the cluster runs) and simulated machines that PXE-boot, claim a slot, fetch their"
          + " boot script and answer, and report back through the installer webhook.",
      "",
      "Prints early, one line each: 'API: http://127.0.0.1:PORT' (usable as kubectl --server),"
          + " 'Status: http://127.0.0.1:PORT/' (the status page) and the path of a kubeconfig for"
          + " kubectl. Shows the NodeInstalls as a table (a plain log when stdout is not a"
          + " terminal) and ends with a summary. Ctrl-C stops it and removes what it created."
    })
public class LabCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--machines",
      defaultValue = "5",
      paramLabel = "N",
      description =
          "How many simulated machines arrive (default ${DEFAULT-VALUE}); those beyond the five"
              + " slots wait until the lab applies one more slot each.")
  int machines;

  @Option(
      names = "--exit-when-done",
      description =
          "Exit 0 after the summary once every machine is provisioned; exit 1 with the reason if"
              + " that does not happen within --timeout.")
  boolean exitWhenDone;

  @Option(
      names = "--real-network",
      description =
          "Run the machines through real dnsmasq and nginx in network namespaces the lab creates"
              + " and removes, also on Ctrl-C: a bridge in a server namespace and one namespace"
              + " per machine, each machine played by busybox udhcpc and curl (needs root, ip,"
              + " dnsmasq, nginx, busybox and curl; the lab says what is missing and exits 2)."
              + " The status page is then on the operator's uplink address, not 127.0.0.1.")
  boolean realNetwork;

  @Option(
      names = "--external",
      description =
          "With --real-network: boot no machines, print 'Network: namespace NS bridge BR' and wait"
              + " for machines someone else attaches to that bridge (a veth, a QEMU VM with the"
              + " iPXE ROM) until Ctrl-C or --timeout, then print the summary.")
  boolean external;

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Bound for --exit-when-done, and how long --external waits, e.g. 90s or 10m (default"
              + " ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--api-port",
      defaultValue = "0",
      paramLabel = "PORT",
      description = "Port of the lab API on 127.0.0.1; 0 picks a free one (default).")
  int apiPort;

  @Option(
      names = "--kubeconfig",
      defaultValue = ".lab/kubeconfig",
      paramLabel = "FILE",
      description = "Where to write the kubeconfig for kubectl (default ${DEFAULT-VALUE}).")
  Path kubeconfig;

  @Option(names = "--verbose", description = "Show the operator's log (on stderr).")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (!verbose) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      // fabric8 warns that v1alpha1 is not stable on every client: true, and not news in a lab
      System.setProperty(
          "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
          "error");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (machines < 0) {
      spec.commandLine().getErr().println("lab: --machines must be 0 or more");
      return 2;
    }
    if (external && !realNetwork) {
      spec.commandLine().getErr().println("lab: --external needs --real-network");
      return 2;
    }
    if (realNetwork) {
      List<String> missing =
          external
              ? NetLab.missingPrerequisites("ip", "dnsmasq", "nginx")
              : NetLab.missingPrerequisites("ip", "dnsmasq", "nginx", "busybox", "curl");
      if (!missing.isEmpty()) {
        spec.commandLine()
            .getErr()
            .println(
                "lab: --real-network needs "
                    + String.join(", ", missing)
                    + " (run as root after apt-get install dnsmasq nginx iproute2 busybox curl);"
                    + " without --real-network the lab simulates DHCP at the HTTP layer.");
        return 2;
      }
    }
    var options =
        new Lab.Options(
            external ? 0 : machines,
            exitWhenDone,
            timeout,
            apiPort,
            kubeconfig,
            System.console() != null,
            realNetwork,
            external);
    Lab lab = new Lab(options, out, Clock.systemUTC());
    LabRun run = new LabRun(lab, options, out, Clock.systemUTC());
    Thread cleanup =
        new Thread(
            () -> {
              run.stop();
              lab.close();
            },
            "lab-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      lab.start();
      return run.run();
    } finally {
      lab.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down (Ctrl-C): the hook runs close() itself
      }
    }
  }

  /** Reads 90s, 10m, 1h or an ISO-8601 duration (PT90S). */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.strip().toLowerCase(java.util.Locale.ROOT);
      if (v.matches("\\d+(ms|s|m|h)")) {
        long n = Long.parseLong(v.replaceAll("\\D", ""));
        return switch (v.replaceAll("\\d", "")) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      }
      return Duration.parse(value.toUpperCase(java.util.Locale.ROOT));
    }
  }
}
