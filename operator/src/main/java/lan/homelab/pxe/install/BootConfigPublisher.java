package lan.homelab.pxe.install;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.render.DnsmasqHostEntry;
import lan.homelab.pxe.render.DnsmasqHostsRenderer;
import lan.homelab.pxe.slot.Slots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes dnsmasq's host entries, derived from every NodeInstall: a reservation for each
 * Installing one (its slot's address and hostname), an ignore for each Provisioned or Failed one;
 * and, once, the boot pod's static configuration (pxe-dnsmasq, pxe-boot). Requests coalesce: one
 * render runs at a time and always reads the newest cached state, and the ConfigMap is written only
 * when its text changed. Runs on the leader (reconcilers call it); a replica that has published
 * reads the ConfigMaps back every 30 s and writes again what someone else changed meanwhile (an old
 * leader during a handover, a person). A replica that lost the lease {@link #stop stops}: from then
 * on it writes nothing, so its caches, which may lag, never overwrite the new leader's output.
 */
public class BootConfigPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BootConfigPublisher.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Supplier<Collection<NodeInstall>> installs;
  private final Supplier<Collection<ProvisioningSlot>> slots;
  private final Supplier<Map<String, Map<String, String>>> staticConfig;
  private volatile Map<String, Map<String, String>> staticPublished;
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "boot-config-publisher");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean requested = new AtomicBoolean();
  private volatile String lastPublished;

  /** How often the published ConfigMaps are read back, see {@link #recheck()}. */
  private static final Duration RECHECK = Duration.ofSeconds(30);

  /** Whether this replica has published (it leads); only then does it read back. */
  private volatile boolean published;

  /** Set when this replica stopped leading: nothing is written any more. */
  private volatile boolean stopped;

  /** The ConfigMaps as last written, by name; guarded by this. */
  private final Map<String, ConfigMap> written = new HashMap<>();

  /**
   * @param staticConfig the ConfigMaps that change only with the settings (pxe-dnsmasq, pxe-boot),
   *     by name; empty when someone else publishes them
   */
  public BootConfigPublisher(
      KubernetesClient client,
      String namespace,
      Supplier<Collection<NodeInstall>> installs,
      Supplier<Collection<ProvisioningSlot>> slots,
      Supplier<Map<String, Map<String, String>>> staticConfig) {
    this(client, namespace, installs, slots, staticConfig, RECHECK);
  }

  /**
   * @param recheck how often a replica that has published reads its ConfigMaps back and writes them
   *     again when someone else changed them (an old leader, a person)
   */
  BootConfigPublisher(
      KubernetesClient client,
      String namespace,
      Supplier<Collection<NodeInstall>> installs,
      Supplier<Collection<ProvisioningSlot>> slots,
      Supplier<Map<String, Map<String, String>>> staticConfig,
      Duration recheck) {
    this.client = client;
    this.namespace = namespace;
    this.installs = installs;
    this.slots = slots;
    this.staticConfig = staticConfig;
    worker.scheduleWithFixedDelay(
        this::recheck, recheck.toMillis(), recheck.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for a render soon; many requests while one runs cause one more render. */
  public void requestRender() {
    schedule(0);
  }

  private void schedule(long delayMillis) {
    if (!requested.compareAndSet(false, true)) {
      return;
    }
    try {
      worker.schedule(
          () -> {
            requested.set(false);
            try {
              publish();
            } catch (RuntimeException e) {
              log.warn(
                  "could not publish dnsmasq host entries, retrying in 1 s: {}", e.getMessage());
              schedule(1000);
            }
          },
          delayMillis,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      requested.set(false);
    }
  }

  /** The host entries the current state asks for. */
  public static List<DnsmasqHostEntry> entries(
      Collection<NodeInstall> installs, Collection<ProvisioningSlot> slots) {
    Map<String, ProvisioningSlot> byName = new HashMap<>();
    slots.forEach(s -> byName.put(s.getMetadata().getName(), s));
    List<DnsmasqHostEntry> entries = new ArrayList<>();
    for (NodeInstall ni : installs) {
      if (ni.getMetadata().getDeletionTimestamp() != null || ni.getStatus() == null) {
        continue;
      }
      Mac mac = Mac.tryParse(ni.getSpec().getMac()).orElse(null);
      NodeInstallPhase phase = ni.getStatus().getPhase();
      if (mac == null || phase == null) {
        continue;
      }
      switch (phase) {
        case Provisioned, Failed -> entries.add(DnsmasqHostEntry.ignored(mac));
        case Installing -> {
          ProvisioningSlot slot = byName.get(ni.getSpec().getSlot());
          if (slot != null
              && ni.getMetadata().getName().equals(Slots.claimedBy(slot).orElse(null))) {
            Ipv4.tryParse(slot.getSpec().getAddress())
                .ifPresent(
                    a -> entries.add(DnsmasqHostEntry.reservation(mac, a, Slots.hostname(slot))));
          }
        }
        default -> {}
      }
    }
    return entries;
  }

  /**
   * The addresses that may fetch {@code /assets/}: of every Installing install that holds its slot,
   * the slot address and every address dnsmasq leased to its MAC (iPXE may still be on a pool
   * address when it loads the installer).
   */
  public static java.util.SortedSet<Ipv4> assetAddresses(
      Collection<NodeInstall> installs, Collection<ProvisioningSlot> slots) {
    java.util.SortedSet<Ipv4> allowed = new java.util.TreeSet<>();
    java.util.Set<Mac> reserved = new java.util.HashSet<>();
    for (DnsmasqHostEntry entry : entries(installs, slots)) {
      if (!entry.ignore()) {
        allowed.add(entry.address());
        reserved.add(entry.mac());
      }
    }
    for (NodeInstall ni : installs) {
      boolean holdsItsSlot =
          Mac.tryParse(ni.getSpec().getMac()).filter(reserved::contains).isPresent();
      if (holdsItsSlot
          && ni.getStatus().getPhase() == NodeInstallPhase.Installing
          && ni.getStatus().getLeasedAddresses() != null) {
        ni.getStatus().getLeasedAddresses().stream()
            .flatMap(a -> Ipv4.tryParse(a).stream())
            .forEach(allowed::add);
      }
    }
    return allowed;
  }

  /**
   * Writes the static configuration soon (retrying until it succeeds). Safe on any replica: its
   * content depends only on the settings, unlike the host entries, which only the leader writes.
   */
  public void requestStaticConfig() {
    worker.execute(
        () -> {
          try {
            publishStatic();
          } catch (RuntimeException e) {
            log.warn(
                "could not publish the boot pod's configuration, retrying: {}", e.getMessage());
            worker.schedule(this::requestStaticConfig, 1, TimeUnit.SECONDS);
          }
        });
  }

  private synchronized void publishStatic() {
    if (stopped) {
      return;
    }
    if (staticPublished == null) {
      Map<String, Map<String, String>> config = staticConfig.get();
      config.forEach(this::write);
      staticPublished = config;
    }
  }

  /**
   * Forgets what was written, so the next render compares with what the API server holds and writes
   * again what someone else changed.
   */
  private void recheck() {
    if (!published) {
      return;
    }
    synchronized (this) {
      written.clear();
      lastPublished = null;
      staticPublished = null;
    }
    requestRender();
  }

  /** Renders and writes now, on the calling thread; nothing once {@link #stop stopped}. */
  public synchronized void publish() {
    if (stopped) {
      return;
    }
    published = true;
    publishStatic();
    Collection<NodeInstall> currentInstalls = installs.get();
    Collection<ProvisioningSlot> currentSlots = slots.get();
    String hosts = DnsmasqHostsRenderer.render(entries(currentInstalls, currentSlots));
    StringBuilder assets = new StringBuilder();
    assetAddresses(currentInstalls, currentSlots).forEach(a -> assets.append(a).append('\n'));
    String text = hosts + "\0" + assets;
    if (text.equals(lastPublished)) {
      return;
    }
    write(
        Names.CONFIGMAP_DNSMASQ_HOSTS,
        Map.of(Names.KEY_HOSTS, hosts, Names.KEY_ASSETS_ALLOW, assets.toString()));
    lastPublished = text;
  }

  /**
   * Writes the ConfigMap when its data differs or it lacks the managed-by label the boot pod's sync
   * selects by (one written by an older version). The version last written is remembered, so a
   * write is one resourceVersion-checked update; when someone else changed or deleted the ConfigMap
   * meanwhile, it is read again first.
   */
  private void write(String name, Map<String, String> data) {
    ConfigMap last = written.get(name);
    if (last != null) {
      if (Objects.equals(data, last.getData()) && labelled(last)) {
        return;
      }
      ConfigMap next =
          new ConfigMapBuilder(last)
              .withData(data)
              .editMetadata()
              .addToLabels(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY_VALUE)
              .endMetadata()
              .build();
      try {
        written.put(name, client.configMaps().inNamespace(namespace).resource(next).update());
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT
            && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
        written.remove(name);
      }
    }
    ConfigMap current = client.configMaps().inNamespace(namespace).withName(name).get();
    if (current != null && Objects.equals(data, current.getData()) && labelled(current)) {
      written.put(name, current);
      return;
    }
    written.put(
        name,
        client
            .configMaps()
            .inNamespace(namespace)
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .addToLabels(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY_VALUE)
                    .endMetadata()
                    .withData(data)
                    .build())
            .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update));
  }

  /** This replica stopped leading: writes nothing from now on (a write in flight completes). */
  public void stop() {
    stopped = true;
    worker.shutdownNow();
  }

  public boolean stopped() {
    return stopped;
  }

  private static boolean labelled(ConfigMap cm) {
    Map<String, String> labels = cm.getMetadata().getLabels();
    return labels != null
        && ApiConstants.MANAGED_BY_VALUE.equals(labels.get(ApiConstants.LABEL_MANAGED_BY));
  }

  @Override
  public void close() {
    stop();
  }
}
