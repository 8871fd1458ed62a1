package lan.homelab.pxe.lab.net;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.render.StaticBootConfig;
import lan.homelab.pxe.sync.BootSignals;
import lan.homelab.pxe.sync.BootSync;

/**
 * The whole product on a lab LAN: the operator in-process against a fabric8 mock API server, its
 * HTTP server reachable from the server namespace over an uplink, and the boot pod's three parts
 * (sync process, supervised dnsmasq with the real lease hook, nginx) plus IPv6 router
 * advertisements. Everything is torn down by {@link #close()}.
 */
public final class NetworkedOperator implements AutoCloseable {
  public static final String HOOK_TOKEN = "lab-hook-token-0123456789abcdef";

  /** The lab's root password (the chart takes it from the user). */
  public static final String ROOT_PASSWORD = "lab-root-password-123";

  private final KubernetesMockServer mock;
  private final KubernetesClient client;
  private final NetLab lab;
  private BootStack stack;
  private final OperatorSettings settings;
  private String operatorUrl;
  private OperatorMain operator;
  private BootSync sync;
  private final Clock clock;

  /**
   * @param overrides settings on top of the seed network (the interface is always the lab bridge)
   */
  public NetworkedOperator(Path workDir, Map<String, ?> overrides) throws IOException {
    this(workDir, overrides, Clock.systemUTC());
  }

  /** The same with the operator on this clock (a test moves it past the install timeout). */
  public NetworkedOperator(Path workDir, Map<String, ?> overrides, Clock clock) throws IOException {
    this(workDir, overrides, null, true, clock);
  }

  /**
   * The same on an API someone else runs and has seeded (namespace, CRDs, the hook and root
   * password Secrets, slots); builds the installer stand-in's boot assets only when {@code
   * withInstaller} (QEMU machines need them, scripted machines do not).
   */
  public static NetworkedOperator onApi(
      Path workDir, KubernetesClient client, boolean withInstaller) throws IOException {
    return new NetworkedOperator(workDir, Map.of(), client, withInstaller, Clock.systemUTC());
  }

  private NetworkedOperator(
      Path workDir,
      Map<String, ?> overrides,
      KubernetesClient external,
      boolean withInstaller,
      Clock clock)
      throws IOException {
    this.clock = clock;
    Map<String, Object> all = new HashMap<>(overrides);
    all.put("interface", NetLab.BRIDGE);
    this.settings = OperatorSettings.defaults().with(all);
    if (external == null) {
      var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
      mock =
          new KubernetesMockServer(
              new Context(Serialization.jsonMapper()),
              new MockWebServer(),
              responses,
              new KubernetesMixedDispatcher(responses),
              false);
      mock.init();
      client = mock.createClient();
    } else {
      mock = null;
      client = external;
    }
    lab = NetLab.create(workDir, settings.serverAddress() + "/" + settings.network().prefix());
    try {
      if (external == null) {
        seed();
      }
      startOperatorAndBootPod(workDir, withInstaller);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void seed() throws IOException {
    for (String plural : new String[] {"provisioningslots", "nodeinstalls"}) {
      try (InputStream in =
          NetworkedOperator.class.getResourceAsStream(
              "/META-INF/fabric8/" + plural + ".pxe.homelab.lan-v1.yml")) {
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    }
    String ns = settings.namespace();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_DHCP_HOOK)
                .withNamespace(ns)
                .endMetadata()
                .addToStringData(Names.KEY_TOKEN, HOOK_TOKEN)
                .build())
        .create();

    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_ROOT_PASSWORD)
                .withNamespace(ns)
                .endMetadata()
                .addToStringData("password", ROOT_PASSWORD)
                .build())
        .create();
  }

  private void startOperatorAndBootPod(Path workDir, boolean withInstaller) throws IOException {
    String ns = settings.namespace();
    String uplink = lab.addUplink();
    // HTTP on the uplink only, a free port: the server namespace reaches it there.
    operator =
        new OperatorMain(client, settings, clock).withHttpHost(uplink).withHttpPort(0).start();
    operatorUrl = "http://" + uplink + ":" + operator.httpPort();
    configMap(Names.CONFIGMAP_DNSMASQ, StaticBootConfig.dnsmasq(settings, null));
    configMap(Names.CONFIGMAP_BOOT, StaticBootConfig.boot(settings, operatorUrl));

    BootDir dir = new BootDir(workDir.resolve("boot"));
    stack = new BootStack(lab, dir);
    if (withInstaller) {
      FakeInstaller.build(dir.assetsDir(), workDir);
    }
    sync = new BootSync(client, ns, dir, new BootSignals(dir)).start();
    waitFor(
        () ->
            Files.isRegularFile(dir.dnsmasqConf())
                && Files.isRegularFile(dir.nginxConf())
                && Files.isRegularFile(dir.hookTokenInclude()));
    stack.startDnsmasq(
        Map.of("PXE_HOOK_URL", operatorUrl, "PXE_HOOK_TOKEN_FILE", dir.hookToken().toString()));
    stack.startNginx();
    stack.startRouterAdvertisements();
    waitFor(
        () -> Files.isRegularFile(dir.dnsmasqPidFile()) && Files.isRegularFile(dir.nginxPidFile()));
  }

  /** Where the operator's HTTP server (status page, API for nginx) listens, on the uplink. */
  public String operatorUrl() {
    return operatorUrl;
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IOException("the boot stack did not come up within 20 s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
  }

  private void configMap(String name, Map<String, String> data) {
    client
        .configMaps()
        .inNamespace(settings.namespace())
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(settings.namespace())
                .addToLabels(
                    lan.homelab.pxe.api.v1alpha1.ApiConstants.LABEL_MANAGED_BY,
                    lan.homelab.pxe.api.v1alpha1.ApiConstants.MANAGED_BY_VALUE)
                .endMetadata()
                .withData(data)
                .build())
        .createOr(c -> c.update());
  }

  public KubernetesClient client() {
    return client;
  }

  /** Applies a slot of the queue, as {@code kubectl apply} of a ProvisioningSlot would. */
  public void createSlot(String name, String address, String hostname, int order) {
    lan.homelab.pxe.api.v1alpha1.ProvisioningSlot slot =
        new lan.homelab.pxe.api.v1alpha1.ProvisioningSlot();
    slot.getMetadata().setName(name);
    slot.getMetadata().setNamespace(settings.namespace());
    lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec spec =
        new lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec();
    spec.setAddress(address);
    spec.setHostname(hostname);
    spec.setOrder(order);
    slot.setSpec(spec);
    client.resource(slot).create();
  }

  /** The machine's NodeInstall, if it has one. */
  public java.util.Optional<lan.homelab.pxe.api.v1alpha1.NodeInstall> install(
      lan.homelab.pxe.claim.Mac mac) {
    return java.util.Optional.ofNullable(
        client
            .resources(lan.homelab.pxe.api.v1alpha1.NodeInstall.class)
            .inNamespace(settings.namespace())
            .withName(mac.objectName())
            .get());
  }

  /** The machine's phase, or null while it has no NodeInstall or no status yet. */
  public lan.homelab.pxe.api.v1alpha1.NodeInstallPhase phase(lan.homelab.pxe.claim.Mac mac) {
    return install(mac)
        .map(ni -> ni.getStatus() == null ? null : ni.getStatus().getPhase())
        .orElse(null);
  }

  /** The in-process operator (its metrics, reports and settings). */
  public OperatorMain operator() {
    return operator;
  }

  public NetLab lab() {
    return lab;
  }

  public BootStack stack() {
    return stack;
  }

  public OperatorSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    if (sync != null) {
      sync.close();
    }
    lab.close();
    if (operator != null) {
      operator.close();
    }
    if (mock != null) {
      client.close();
      mock.destroy();
    }
  }
}
