package lan.homelab.pxe;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.ClaimRules;
import lan.homelab.pxe.claim.SlotClaimer;
import lan.homelab.pxe.claim.StaleClaims;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.http.HookTokens;
import lan.homelab.pxe.http.OperatorHttpServer;
import lan.homelab.pxe.http.ProbeHealth;
import lan.homelab.pxe.http.StatusSource;
import lan.homelab.pxe.install.BootConfigPublisher;
import lan.homelab.pxe.install.InstallReports;
import lan.homelab.pxe.install.NodeAnswers;
import lan.homelab.pxe.install.NodeFilesRenderer;
import lan.homelab.pxe.install.NodeInstallReconciler;
import lan.homelab.pxe.metrics.PxeMetrics;
import lan.homelab.pxe.render.StaticBootConfig;
import lan.homelab.pxe.slot.ProvisioningSlotReconciler;
import lan.homelab.pxe.slot.SlotValidation;
import lan.homelab.pxe.status.Conditions;
import lan.homelab.pxe.status.EventRecorder;
import lan.homelab.pxe.status.NodeInstallEvents;
import lan.homelab.pxe.tls.CertificateFingerprint;

/** Wiring only: settings, client, reconcilers, HTTP server. */
public final class OperatorMain implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OperatorMain.class);

  /**
   * Reconciles that run at once. Claims are made one at a time anyway and the rest waits on the API
   * server, so a few threads keep up with a burst of hundreds of machines; each thread costs stack
   * memory.
   */
  static final int RECONCILE_THREADS = 8;

  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final Clock clock;
  private final Conditions conditions;
  private final EventRecorder events;
  private final PxeMetrics metrics = new PxeMetrics();
  private final InstallReports reports;
  private String leaseIdentity;
  private boolean exitOnStopLeading;
  private Duration leaseDuration = LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE;
  private Integer httpPortOverride;
  private String httpHost;
  private Operator operator;
  private NodeInstallReconciler installReconciler;
  private OperatorHttpServer http;
  private NodeInstallEvents installEvents;

  public OperatorMain(KubernetesClient client, OperatorSettings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
    this.conditions = new Conditions(clock);
    this.events = new EventRecorder(client, clock);
    this.reports =
        new InstallReports(
            client,
            settings,
            conditions,
            events,
            metrics,
            () -> installReconciler == null ? List.of() : installReconciler.allInstalls());
  }

  /**
   * Runs the reconcilers only while this replica holds the Lease {@code pxe-operator} in the
   * namespace; HTTP handlers serve on every replica.
   */
  public OperatorMain withLeaderElection(String identity, Duration leaseDuration) {
    this.leaseIdentity = identity;
    this.leaseDuration = leaseDuration;
    return this;
  }

  /** Serves HTTP on this address only (the embedded lab: 127.0.0.1) instead of every interface. */
  public OperatorMain withHttpHost(String host) {
    this.httpHost = host;
    return this;
  }

  /** In a pod, a replica that loses the lease exits, and Kubernetes starts it again as follower. */
  public OperatorMain exitingWhenLeadershipIsLost() {
    this.exitOnStopLeading = true;
    return this;
  }

  /** Serves HTTP on this port instead of the settings' (0 picks a free one). */
  public OperatorMain withHttpPort(int port) {
    this.httpPortOverride = port;
    return this;
  }

  /**
   * Starts the reconcilers and the HTTP server. When a step fails (the HTTP port cannot be bound),
   * what was already started is stopped again before the failure is thrown: nothing keeps running
   * behind a failed start.
   */
  public OperatorMain start() {
    try {
      return startAll();
    } catch (RuntimeException e) {
      log.error("the operator cannot start, stopping it: {}", e.getMessage());
      close();
      throw e;
    }
  }

  private OperatorMain startAll() {
    String ns = settings.namespace();
    Supplier<String> fingerprint =
        settings.tlsEnabled()
            ? new CertificateFingerprint(client, ns, settings.serverAddress(), clock)
            : () -> null;
    NodeAnswers answers = new NodeAnswers(client, settings, clock, events, fingerprint);
    Function<ProvisioningSlot, List<String>> answerProblems = answers::problems;
    Function<Collection<ProvisioningSlot>, Predicate<ProvisioningSlot>> validity =
        all -> {
          java.util.Set<String> valid = new java.util.HashSet<>();
          SlotValidation.problemsOfAll(all, settings)
              .forEach(
                  (name, problems) -> {
                    if (problems.isEmpty()) {
                      valid.add(name);
                    }
                  });
          return slot ->
              valid.contains(slot.getMetadata().getName()) && answerProblems.apply(slot).isEmpty();
        };
    SlotClaimer claimer =
        new SlotClaimer(
            client,
            ns,
            new ClaimRules(settings.network(), settings.maxConcurrentInstalls()),
            clock);
    installReconciler =
        new NodeInstallReconciler(
            client,
            settings,
            conditions,
            events,
            claimer,
            new NodeFilesRenderer(settings, answers),
            metrics,
            validity,
            () ->
                settings.operatorUrl() == null
                    ? Map.of()
                    : Map.of(
                        Names.CONFIGMAP_DNSMASQ,
                        StaticBootConfig.dnsmasq(settings, fingerprint.get()),
                        Names.CONFIGMAP_BOOT,
                        StaticBootConfig.boot(settings, settings.operatorUrl())));
    operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withConcurrentReconciliationThreads(RECONCILE_THREADS)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withSSABasedCreateUpdateMatchForDependentResources(false);
              if (leaseIdentity != null) {
                Duration renew = leaseDuration.multipliedBy(2).dividedBy(3);
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        "pxe-operator",
                        ns,
                        leaseDuration,
                        renew,
                        leaseDuration.dividedBy(5),
                        leaseIdentity,
                        new LeaderCallbacks(() -> {}, this::stopLeading, leader -> {}),
                        exitOnStopLeading));
              }
            });
    operator.register(installReconciler, c -> c.settingNamespace(ns));
    operator.register(
        new ProvisioningSlotReconciler(
            client,
            settings,
            conditions,
            events,
            answerProblems,
            new StaleClaims(client, ns, claimer, clock)),
        c -> c.settingNamespace(ns));
    operator.start();
    installReconciler.publisher().requestStaticConfig();
    installEvents = NodeInstallEvents.start(client, ns);
    http =
        new OperatorHttpServer(
            reports,
            new StatusSource(
                installReconciler::allSlots,
                installReconciler::allInstalls,
                installEvents::newest,
                reports.unclaimed()::state),
            settings,
            metrics,
            new ProbeHealth(
                () -> operator.getRuntimeInfo().isStarted(), this::unhealthyEventSources, clock),
            clock,
            new HookTokens(client, ns, clock));
    try {
      int port = httpPortOverride != null ? httpPortOverride : settings.httpPort();
      if (httpHost == null) {
        http.start(port);
      } else {
        http.start(new java.net.InetSocketAddress(httpHost, port));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve HTTP on port "
              + (httpPortOverride != null ? httpPortOverride : settings.httpPort())
              + ": "
              + e.getMessage(),
          e);
    }
    return this;
  }

  /** The event sources (informers) that are not healthy now, as controller/source. */
  private java.util.List<String> unhealthyEventSources() {
    java.util.List<String> names = new java.util.ArrayList<>();
    operator
        .getRuntimeInfo()
        .unhealthyEventSources()
        .forEach(
            (controller, sources) ->
                sources.keySet().forEach(s -> names.add(controller + "/" + s)));
    return names;
  }

  /** The lease went to another replica: its caches may lag, so it publishes nothing more. */
  private void stopLeading() {
    if (installReconciler != null && installReconciler.publisher() != null) {
      installReconciler.publisher().stop();
    }
  }

  /** What publishes dnsmasq's host entries and the boot pod's configuration. */
  public BootConfigPublisher bootConfigPublisher() {
    return installReconciler.publisher();
  }

  /** The port the HTTP server listens on. */
  public int httpPort() {
    return http.port();
  }

  public InstallReports reports() {
    return reports;
  }

  public PxeMetrics metrics() {
    return metrics;
  }

  public KubernetesClient client() {
    return client;
  }

  public OperatorSettings settings() {
    return settings;
  }

  public Clock clock() {
    return clock;
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
      http = null;
    }
    if (operator != null) {
      operator.stop();
    }
    if (installReconciler != null && installReconciler.publisher() != null) {
      installReconciler.publisher().close();
    }
    if (installEvents != null) {
      installEvents.close();
    }
  }

  /** Reads a settings file (YAML); the built-in seed network when the path is null. */
  public static OperatorSettings loadSettings(Path file) throws IOException {
    if (file == null) {
      return OperatorSettings.defaults();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = Serialization.unmarshal(Files.readString(file), Map.class);
    return OperatorSettings.fromMap(raw == null ? Map.of() : raw);
  }

  /** {@code pxe-operator run}: blocks until the JVM is stopped. */
  public static int runInCluster(Path settingsFile) throws Exception {
    OperatorSettings settings = loadSettings(settingsFile);
    KubernetesClient client = new KubernetesClientBuilder().build();
    String identity =
        java.util.Objects.requireNonNullElse(
            System.getenv("POD_NAME"),
            java.util.Objects.requireNonNullElse(System.getenv("HOSTNAME"), "pxe-operator"));
    try (client;
        OperatorMain main =
            new OperatorMain(client, settings, Clock.systemUTC())
                .withLeaderElection(
                    identity, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE)
                .exitingWhenLeadershipIsLost()
                .start()) {
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }
}
