package lan.homelab.pxe.sync;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.render.NginxConfRenderer;
import lan.homelab.pxe.secrets.SecretValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The boot pod's sync process: watches the boot ConfigMaps and Secrets of one namespace and keeps
 * the shared directory equal to them, as plain files written atomically (temp file + rename), so
 * dnsmasq and nginx see a change within milliseconds instead of after the kubelet's volume sync.
 *
 * <p>Every event recomputes the whole tree from the informers' caches (a handful of small objects)
 * on one thread, so events coalesce and a restart converges: files no object asks for are removed.
 * A sync that fails (a full disk, an unwritable file) is tried again after 1 s, then 2 s, 4 s … at
 * most {@link #RETRY_MAX} apart until one succeeds; each failure is logged with the next delay and
 * counted ({@link #failedSyncs()}). Only ConfigMaps the operator wrote (label {@code
 * app.kubernetes.io/managed-by=pxe-operator}) are watched, so other ConfigMaps of the namespace
 * cost the boot pod nothing. Then: host entries only added → nothing (dnsmasq's inotify on the
 * hosts dir reads them); an entry removed or changed → SIGHUP dnsmasq; static dnsmasq.conf changed
 * → restart dnsmasq; nginx.conf, the /assets/ allow include (from key {@code assets-allow} of the
 * host entries' ConfigMap), hook token or TLS files changed → reload nginx.
 */
public final class BootSync implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BootSync.class);
  static final String HOOK_RESOURCE = "/lan/homelab/pxe/render/dhcp-event-hook.sh";

  private final KubernetesClient client;
  private final String namespace;
  private final BootDir dir;
  private final BootSignals signals;
  static final Duration RETRY_MIN = Duration.ofSeconds(1);
  static final Duration RETRY_MAX = Duration.ofSeconds(30);

  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "boot-sync");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile int failuresInARow;
  private volatile long failedSyncs;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<ConfigMap> configMaps;
  private final List<SharedIndexInformer<Secret>> secrets = new ArrayList<>();
  private volatile long syncs;

  public BootSync(KubernetesClient client, String namespace, BootDir dir, BootSignals signals) {
    this.client = client;
    this.namespace = namespace;
    this.dir = dir;
    this.signals = signals;
  }

  /** Starts the informers, writes the current state and keeps following changes. */
  public BootSync start() throws IOException {
    for (Path d :
        List.of(
            dir.hostsDir(),
            dir.nginxConf().getParent(),
            dir.genericIpxe().getParent(),
            dir.ipxeDir(),
            dir.answersDir(),
            dir.hookToken().getParent())) {
      AtomicFiles.directory(d);
    }
    // dnsmasq (root) and nginx (uid 101, the pod's fsGroup) write pid and temp files here.
    AtomicFiles.directory(dir.dnsmasqPidFile().getParent(), AtomicFiles.SHARED_DIR_MODE);
    AtomicFiles.directory(dir.nginxTemp(), AtomicFiles.SHARED_DIR_MODE);
    installHook();
    ResourceEventHandler<Object> onChange =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Object obj) {
            schedule();
          }

          @Override
          public void onUpdate(Object oldObj, Object newObj) {
            schedule();
          }

          @Override
          public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
            schedule();
          }
        };
    // Every informer is set up before any starts: a sync may run at the first event.
    configMaps =
        client
            .configMaps()
            .inNamespace(namespace)
            .withLabel(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY_VALUE)
            .runnableInformer(0);
    configMaps.addEventHandler(cast(onChange));
    informers.add(configMaps);
    for (String name : List.of(Names.SECRET_DHCP_HOOK, Names.SECRET_TLS)) {
      // Only these two by name: the boot pod never needs (nor gets RBAC for) other Secrets.
      SharedIndexInformer<Secret> one =
          client.secrets().inNamespace(namespace).withName(name).runnableInformer(0);
      one.addEventHandler(cast(onChange));
      secrets.add(one);
      informers.add(one);
    }
    informers.forEach(SharedIndexInformer::run);
    schedule();
    return this;
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
  }

  /** How many times the tree was brought up to date. */
  public long syncs() {
    return syncs;
  }

  /** How many syncs failed since the start. */
  public long failedSyncs() {
    return failedSyncs;
  }

  private void schedule() {
    scheduleIn(Duration.ZERO);
  }

  private void scheduleIn(Duration delay) {
    if (pending.compareAndSet(false, true)) {
      try {
        worker.schedule(this::runSync, delay.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        pending.set(false);
      }
    }
  }

  private void runSync() {
    pending.set(false);
    try {
      syncOnce();
      failuresInARow = 0;
    } catch (IOException | RuntimeException e) {
      failedSyncs++;
      Duration retry = retryDelay(++failuresInARow);
      LOG.error(
          "sync of {} failed ({} in a row), trying again in {} ms: {}",
          dir.root(),
          failuresInARow,
          retry.toMillis(),
          e.toString());
      scheduleIn(retry);
    }
  }

  /** 1 s, 2 s, 4 s … at most {@link #RETRY_MAX}. */
  static Duration retryDelay(int failuresInARow) {
    int doublings = Math.min(failuresInARow - 1, 30);
    Duration delay = RETRY_MIN.multipliedBy(1L << doublings);
    return delay.compareTo(RETRY_MAX) > 0 ? RETRY_MAX : delay;
  }

  private void installHook() throws IOException {
    try (InputStream in = BootSync.class.getResourceAsStream(HOOK_RESOURCE)) {
      if (in != null) {
        AtomicFiles.write(
            dir.hookScript(),
            new String(in.readAllBytes(), StandardCharsets.UTF_8),
            AtomicFiles.EXECUTABLE);
      }
    }
  }

  /** Brings the directory up to date with the caches and signals what needs it. */
  void syncOnce() throws IOException {
    Map<String, ConfigMap> byName = new LinkedHashMap<>();
    for (ConfigMap cm : configMaps.getStore().list()) {
      byName.put(cm.getMetadata().getName(), cm);
    }
    boolean restartDnsmasq = false;
    boolean hupDnsmasq = false;
    boolean reloadNginx = false;

    String conf = value(byName.get(Names.CONFIGMAP_DNSMASQ), Names.KEY_DNSMASQ_CONF);
    if (conf != null) {
      restartDnsmasq = AtomicFiles.write(dir.dnsmasqConf(), dir.relocate(conf));
    }

    String hosts = value(byName.get(Names.CONFIGMAP_DNSMASQ_HOSTS), Names.KEY_HOSTS);
    String oldHosts = Files.isRegularFile(dir.hostsFile()) ? Files.readString(dir.hostsFile()) : "";
    String newHosts = hosts == null ? "" : hosts;
    if (AtomicFiles.write(dir.hostsFile(), newHosts)) {
      hupDnsmasq = !new HashSet<>(newHosts.lines().toList()).containsAll(oldHosts.lines().toList());
    }

    // The files nginx.conf includes come before nginx.conf: nginx starts once the conf exists.
    List<Secret> known = new ArrayList<>();
    secrets.forEach(i -> known.addAll(i.getStore().list()));
    for (Secret secret : known) {
      String name = secret.getMetadata().getName();
      if (name.equals(Names.SECRET_DHCP_HOOK)) {
        Optional<String> token = SecretValues.text(secret, Names.KEY_TOKEN).map(String::trim);
        if (token.isPresent() && !token.get().isEmpty()) {
          AtomicFiles.write(dir.hookToken(), token.get() + "\n", AtomicFiles.SECRET);
          reloadNginx |=
              AtomicFiles.write(
                  dir.hookTokenInclude(),
                  NginxConfRenderer.tokenInclude(token.get()),
                  AtomicFiles.SECRET);
        }
      } else if (name.equals(Names.SECRET_TLS)) {
        Path secretsDir = dir.hookToken().getParent();
        for (String key : List.of("tls.crt", "tls.key")) {
          Optional<String> v = SecretValues.text(secret, key);
          if (v.isPresent()) {
            reloadNginx |= AtomicFiles.write(secretsDir.resolve(key), v.get(), AtomicFiles.SECRET);
          }
        }
      }
    }

    // Always written, so nginx never starts without it: no ConfigMap yet means nobody gets assets.
    List<Ipv4> assetAddresses = new ArrayList<>();
    String assets = value(byName.get(Names.CONFIGMAP_DNSMASQ_HOSTS), Names.KEY_ASSETS_ALLOW);
    for (String line : (assets == null ? "" : assets).lines().map(String::strip).toList()) {
      if (!line.isEmpty()) {
        Ipv4.tryParse(line)
            .ifPresentOrElse(
                assetAddresses::add,
                () ->
                    LOG.warn(
                        "{}: '{}' is not an IPv4 address: skipped", Names.KEY_ASSETS_ALLOW, line));
      }
    }
    reloadNginx |=
        AtomicFiles.write(
            dir.assetsAllowInclude(), NginxConfRenderer.assetsAllowInclude(assetAddresses));

    ConfigMap boot = byName.get(Names.CONFIGMAP_BOOT);
    String nginx = value(boot, Names.KEY_NGINX_CONF);
    if (nginx != null) {
      reloadNginx |= AtomicFiles.write(dir.nginxConf(), dir.relocate(nginx));
    }
    String generic = value(boot, Names.KEY_GENERIC_IPXE);
    if (generic != null) {
      AtomicFiles.write(dir.genericIpxe(), generic);
    }

    Set<Path> nodeFiles = new HashSet<>();
    for (ConfigMap cm : byName.values()) {
      if (cm.getMetadata().getName().startsWith(Names.CONFIGMAP_NODE_PREFIX)) {
        nodeFiles.addAll(writeNode(cm));
      }
    }
    removeOthers(dir.ipxeDir(), nodeFiles);
    removeOthers(dir.answersDir(), nodeFiles);

    if (restartDnsmasq) {
      LOG.info("dnsmasq.conf changed: restarting dnsmasq");
      signals.restartDnsmasq();
    } else if (hupDnsmasq) {
      LOG.info("host entries removed or changed: SIGHUP dnsmasq");
      signals.reloadDnsmasqHosts();
    }
    if (reloadNginx) {
      LOG.info("nginx configuration changed: reloading nginx");
      signals.reloadNginx();
    }
    syncs++;
  }

  /** Writes a node's iPXE script and answer; returns the files it owns. */
  private List<Path> writeNode(ConfigMap cm) throws IOException {
    List<Path> files = new ArrayList<>();
    Optional<Mac> mac = Mac.tryParse(value(cm, Names.KEY_MAC));
    Optional<Ipv4> address = Ipv4.tryParse(value(cm, Names.KEY_ADDRESS));
    String script = value(cm, Names.KEY_NODE_IPXE);
    String answer = value(cm, Names.KEY_ANSWER);
    if (mac.isPresent() && script != null) {
      AtomicFiles.write(dir.nodeIpxe(mac.get()), script);
      files.add(dir.nodeIpxe(mac.get()));
    }
    if (address.isPresent() && answer != null) {
      AtomicFiles.write(dir.answer(address.get()), answer);
      files.add(dir.answer(address.get()));
    }
    if (mac.isEmpty() || address.isEmpty()) {
      LOG.warn("{} lacks a valid mac or address: skipped", cm.getMetadata().getName());
    }
    return files;
  }

  private static void removeOthers(Path directory, Set<Path> keep) throws IOException {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path f : files.toList()) {
        if (!keep.contains(f) && !f.getFileName().toString().startsWith(".")) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static String value(ConfigMap cm, String key) {
    if (cm == null || cm.getData() == null) {
      return null;
    }
    return cm.getData().get(key);
  }

  /** Waits (bounded) until every queued sync ran; for tests and orderly shutdown. */
  public boolean awaitIdle(long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      var done = worker.submit(() -> {});
      try {
        done.get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        if (!pending.get()) {
          return true;
        }
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        return false;
      }
    }
    return false;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    worker.shutdownNow();
  }
}
