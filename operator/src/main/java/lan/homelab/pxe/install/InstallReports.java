package lan.homelab.pxe.install;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.answer.InstallerVersion;
import lan.homelab.pxe.api.v1alpha1.AnswerRequestFacts;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.DiscoveryFacts;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;
import lan.homelab.pxe.claim.DenyList;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.metrics.PxeMetrics;
import lan.homelab.pxe.secrets.SecretValues;
import lan.homelab.pxe.secrets.Tokens;
import lan.homelab.pxe.status.Conditions;
import lan.homelab.pxe.status.EventRecorder;

/**
 * What the outside world tells the operator about machines: DHCP discoveries, boot-script and
 * answer fetches, the installer's webhook. Safe on any replica: each method writes at most one
 * idempotent request (a create that fails when the name exists, or a status patch of fields only
 * these reports write); phases are decided by the leader's {@link NodeInstallReconciler}. Boot
 * notifications count only from the machine's own addresses (its slot address, or one dnsmasq
 * leased to its MAC, kept in {@code status.leasedAddresses}): anyone on the LAN can make nginx send
 * one.
 */
public class InstallReports {
  /** At most one Event per install per this interval about notifications that do not count. */
  static final Duration FORGED_EVENT_INTERVAL = Duration.ofMinutes(1);

  /** Above this many remembered installs, the ones whose interval is over are forgotten. */
  private static final int FORGED_EVENT_MEMORY = 256;

  private final Map<String, Instant> lastForgedEvent = new ConcurrentHashMap<>();
  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final Conditions conditions;
  private final EventRecorder events;
  private final DenyList denyList;
  private final Supplier<Collection<NodeInstall>> cache;
  private final UnclaimedInstalls unclaimed;

  /**
   * Reports that read the installs from the API server (one LIST per discovery); the operator
   * passes its informer cache instead.
   */
  public InstallReports(
      KubernetesClient client,
      OperatorSettings settings,
      Conditions conditions,
      EventRecorder events) {
    this(client, settings, conditions, events, new PxeMetrics(), null);
  }

  /**
   * @param metrics where refused discoveries are counted
   * @param cache every NodeInstall as the operator's informer holds it; null lists from the API
   */
  public InstallReports(
      KubernetesClient client,
      OperatorSettings settings,
      Conditions conditions,
      EventRecorder events,
      PxeMetrics metrics,
      Supplier<Collection<NodeInstall>> cache) {
    this.client = client;
    this.settings = settings;
    this.conditions = conditions;
    this.events = events;
    this.denyList = new DenyList(settings.denyList());
    this.cache = cache != null ? cache : () -> installs().list().getItems();
    this.unclaimed =
        new UnclaimedInstalls(
            settings.maxUnclaimedInstalls(), this.cache, conditions.clock(), metrics);
  }

  /** The bound on installs without a slot, as the status page shows it. */
  public UnclaimedInstalls unclaimed() {
    return unclaimed;
  }

  /**
   * A DHCP lease event: registers an unknown PXE client so the leader gives it a slot, unless
   * {@link OperatorSettings#maxUnclaimedInstalls()} installs from the intake hold no slot already
   * (then nothing is created; the client's next lease event asks again). For a known install that
   * holds no slot, records the event ({@code status.lastDhcpEventAt}, at most every {@link
   * #DHCP_EVENT_RESOLUTION}): one without any for a pool lease time is deleted by the leader.
   */
  public DiscoveryOutcome discovered(DiscoveryReport report) {
    if (!report.clientType().isPxe()) {
      return new DiscoveryOutcome.Ignored("not a PXE client: never claims a slot");
    }
    if (denyList.denies(report.mac())) {
      return new DiscoveryOutcome.Ignored("MAC is on the deny-list");
    }
    if (!settings.allowList().isEmpty()
        && settings.allowList().stream().noneMatch(report.mac()::hasPrefix)) {
      return new DiscoveryOutcome.Ignored("MAC is not on the allow-list");
    }
    String name = report.mac().objectName();
    Optional<NodeInstall> known =
        cache.get().stream().filter(ni -> name.equals(ni.getMetadata().getName())).findFirst();
    if (known.isPresent()) {
      return alreadyKnown(known.get(), report.address());
    }
    if (!unclaimed.admit(name)) {
      return new DiscoveryOutcome.OverBound(unclaimed.bound());
    }
    NodeInstall created = new NodeInstall();
    created.getMetadata().setName(name);
    created.getMetadata().setNamespace(settings.namespace());
    NodeInstallSpec spec = new NodeInstallSpec();
    spec.setMac(report.mac().value());
    created.setSpec(spec);
    try {
      created = installs().resource(created).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return find(name)
            .map(ni -> alreadyKnown(ni, report.address()))
            .orElse(new DiscoveryOutcome.AlreadyKnown(name, null));
      }
      unclaimed.forget(name);
      throw e;
    }
    NodeInstallStatus status = new NodeInstallStatus();
    status.setDiscoveredAt(conditions.now());
    DiscoveryFacts facts = new DiscoveryFacts();
    facts.setClientType(report.clientType().name().toLowerCase(java.util.Locale.ROOT));
    facts.setArchitecture(report.architecture());
    facts.setPoolAddress(report.address() == null ? null : report.address().toString());
    facts.setNetworkInterface(report.interfaceName());
    status.setDiscovery(facts);
    if (report.address() != null) {
      status.setLeasedAddresses(List.of(report.address().toString()));
    }
    patchStatus(name, status);
    events.normal(
        created,
        "Discovered",
        "PXE client "
            + report.mac()
            + " ("
            + facts.getClientType()
            + (report.architecture() == null ? "" : ", " + report.architecture())
            + ") asked for an address"
            + (report.address() == null ? "" : "; it got " + report.address()));
    return new DiscoveryOutcome.Registered(name);
  }

  /**
   * How stale {@code status.lastDhcpEventAt} may be before a lease event writes it again: a waiting
   * machine renews its pool lease every half lease time, so this keeps one status write per renewal
   * at most, and a quarter lease time of slack before expiry.
   */
  static final java.time.Duration DHCP_EVENT_RESOLUTION =
      lan.homelab.pxe.render.DnsmasqConfRenderer.POOL_LEASE.dividedBy(4);

  private DiscoveryOutcome alreadyKnown(NodeInstall ni, Ipv4 address) {
    String name = ni.getMetadata().getName();
    recordLease(ni, address);
    if (UnclaimedInstalls.counts(ni)) {
      java.time.Instant now = conditions.clock().instant();
      if (!now.isBefore(UnclaimedInstalls.lastHeard(ni.getStatus()).plus(DHCP_EVENT_RESOLUTION))) {
        NodeInstallStatus status = new NodeInstallStatus();
        status.setLastDhcpEventAt(conditions.now());
        patchStatus(name, status);
      }
    }
    return new DiscoveryOutcome.AlreadyKnown(name, phaseOf(ni));
  }

  /** The installer's post-installation webhook, after nginx forwarded it. */
  public WebhookOutcome webhookReceived(String name, String urlToken, WebhookReport report) {
    NodeInstall install = find(name).orElse(null);
    if (install == null) {
      return WebhookOutcome.UNKNOWN_INSTALL;
    }
    String token = tokenOf(name).orElse(null);
    boolean bodyTokenRequired =
        settings.installerVersion().has(InstallerVersion.Feature.WEBHOOK_AUTH_TOKEN);
    if (token == null
        || !Tokens.matches(token, urlToken)
        || (report.bodyToken() != null && !Tokens.matches(token, report.bodyToken()))
        || (bodyTokenRequired && report.bodyToken() == null)) {
      events.warning(
          install, "WebhookRefused", "a post-installation webhook with a wrong token was refused");
      return WebhookOutcome.BAD_TOKEN;
    }
    Mac mac = Mac.parse(install.getSpec().getMac());
    if (!report.macs().contains(mac)) {
      events.warning(
          install,
          "WebhookRefused",
          "the webhook's machine lists NICs " + report.macs() + " but not " + mac);
      return WebhookOutcome.MAC_MISMATCH;
    }
    NodeInstallPhase phase = phaseOf(install);
    if (phase == NodeInstallPhase.Provisioned) {
      return WebhookOutcome.ALREADY_PROVISIONED;
    }
    if (phase != NodeInstallPhase.Installing && phase != NodeInstallPhase.Failed) {
      events.warning(install, "WebhookRefused", "a webhook arrived while the install is " + phase);
      return WebhookOutcome.NOT_INSTALLING;
    }
    NodeInstallStatus status = new NodeInstallStatus();
    status.setWebhookReceivedAt(conditions.now());
    status.setInventory(report.inventory());
    patchStatus(name, status);
    return WebhookOutcome.ACCEPTED;
  }

  /**
   * iPXE at {@code client} fetched a node's boot script (nginx told us). Records the first fetch of
   * an install that holds a slot and is not finished, also before its Installing phase is written:
   * the node's files are published in the same reconcile, just before. Counts only from the slot
   * address or an address dnsmasq leased to the install's MAC.
   */
  public NotificationOutcome bootScriptServed(String name, Ipv4 client) {
    NodeInstall install = find(name).orElse(null);
    if (install == null) {
      return NotificationOutcome.UNKNOWN_INSTALL;
    }
    if (!slotAddress(install).equals(Optional.of(client.toString()))
        && !leasedAddresses(install).contains(client.toString())) {
      return forged(install, "a boot-script notification", client);
    }
    NodeInstallPhase phase = phaseOf(install);
    if (install.getSpec().getSlot() == null
        || phase == NodeInstallPhase.Provisioned
        || phase == NodeInstallPhase.Failed
        || phase == NodeInstallPhase.Rejected
        || install.getStatus().getBootScriptServedAt() != null) {
      return NotificationOutcome.RECORDED;
    }
    NodeInstallStatus status = new NodeInstallStatus();
    status.setBootScriptServedAt(conditions.now());
    patchStatus(name, status);
    return NotificationOutcome.RECORDED;
  }

  /**
   * The per-node boot script at {@code client} refused to boot the installer (nginx told us): too
   * little memory, or iPXE does not hold the slot's address. Recorded once; the leader then marks
   * the install Failed. A refusal for the address counts only from an address dnsmasq leased to the
   * install's MAC (iPXE holding the slot address never sends one); one for memory also from the
   * slot address.
   *
   * @param reason {@code memory} or {@code address}
   */
  public NotificationOutcome bootRefused(String name, String reason, String memsize, Ipv4 client) {
    NodeInstall install = find(name).orElse(null);
    if (install == null) {
      return NotificationOutcome.UNKNOWN_INSTALL;
    }
    boolean fromMachine =
        leasedAddresses(install).contains(client.toString())
            || (!reason.equals("address")
                && slotAddress(install).equals(Optional.of(client.toString())));
    if (!fromMachine) {
      return forged(install, "a boot refusal (" + reason + ")", client);
    }
    if (phaseOf(install) != NodeInstallPhase.Installing
        || install.getStatus().getBootRefusal() != null) {
      return NotificationOutcome.RECORDED;
    }
    String text =
        switch (reason) {
          case "memory" ->
              "the machine has "
                  + (memsize == null || memsize.isEmpty() ? "unknown" : memsize + " MiB")
                  + " of memory; the installer needs about 6 GiB";
          case "address" -> "iPXE does not hold the slot's address";
          default -> reason;
        };
    NodeInstallStatus status = new NodeInstallStatus();
    status.setBootRefusal(text);
    patchStatus(name, status);
    events.warning(
        install, "BootRefused", "the boot script refused to start the installer: " + text);
    return NotificationOutcome.RECORDED;
  }

  /**
   * A notification about {@code install} from an address that does not count: changes nothing but a
   * Warning Event, at most one per install per {@link #FORGED_EVENT_INTERVAL}.
   */
  private NotificationOutcome forged(NodeInstall install, String what, Ipv4 client) {
    String name = install.getMetadata().getName();
    Instant now = conditions.clock().instant();
    boolean[] due = {false};
    lastForgedEvent.compute(
        name,
        (key, last) -> {
          due[0] = last == null || !now.isBefore(last.plus(FORGED_EVENT_INTERVAL));
          return due[0] ? now : last;
        });
    if (lastForgedEvent.size() > FORGED_EVENT_MEMORY) {
      // installs come and go: forget those whose minute is over, so the map stays small
      lastForgedEvent.values().removeIf(t -> !now.isBefore(t.plus(FORGED_EVENT_INTERVAL)));
    }
    if (due[0]) {
      events.warning(
          install,
          "NotificationRefused",
          what
              + " from "
              + client
              + " was ignored: neither the slot address nor an address leased to "
              + install.getSpec().getMac()
              + " (further ones within a minute are only counted)");
    }
    return NotificationOutcome.NOT_FROM_MACHINE;
  }

  /**
   * Appends {@code address} to the install's leased addresses (newest last, bounded), unless the
   * install is finished (Provisioned, Failed, Rejected): no notification counts for those.
   */
  private void recordLease(NodeInstall install, Ipv4 address) {
    NodeInstallPhase phase = phaseOf(install);
    if (address == null
        || phase == NodeInstallPhase.Provisioned
        || phase == NodeInstallPhase.Failed
        || phase == NodeInstallPhase.Rejected) {
      return;
    }
    List<String> leased = new ArrayList<>(leasedAddresses(install));
    if (!leased.isEmpty() && leased.get(leased.size() - 1).equals(address.toString())) {
      return;
    }
    leased.remove(address.toString());
    leased.add(address.toString());
    while (leased.size() > NodeInstallStatus.MAX_LEASED_ADDRESSES) {
      leased.remove(0);
    }
    if (install.getStatus() == null) {
      NodeInstallStatus status = new NodeInstallStatus();
      status.setLeasedAddresses(leased);
      patchStatus(install.getMetadata().getName(), status);
      return;
    }
    // A JSON patch replaces the list whole, whatever the server's merge rules. Two lease events
    // of one MAC at the same instant may keep only one of their addresses: dnsmasq repeats an
    // address on its next "old" event, and a lost one makes the machine's notifications count less,
    // never more.
    installs()
        .withName(install.getMetadata().getName())
        .subresource("status")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
            io.fabric8.kubernetes.client.utils.Serialization.asJson(
                List.of(Map.of("op", "add", "path", "/status/leasedAddresses", "value", leased))));
  }

  private static List<String> leasedAddresses(NodeInstall install) {
    List<String> leased =
        install.getStatus() == null ? null : install.getStatus().getLeasedAddresses();
    return leased == null ? List.of() : leased;
  }

  private static Optional<String> slotAddress(NodeInstall install) {
    return Optional.ofNullable(install.getStatus()).map(NodeInstallStatus::getAddress);
  }

  /**
   * The installer at {@code client} fetched its answer (nginx told us): records when and what the
   * machine said about itself, and whether its NICs include the install's MAC.
   *
   * @return the NodeInstall that is Installing on this address, if any
   */
  public Optional<String> answerServed(Ipv4 client, AnswerRequestFacts facts) {
    Optional<NodeInstall> install = installingAt(client);
    install.ifPresent(
        ni -> {
          Mac mac = Mac.parse(ni.getSpec().getMac());
          facts.setMacMatches(facts.getMacs() != null && facts.getMacs().contains(mac.value()));
          NodeInstallStatus status = new NodeInstallStatus();
          if (ni.getStatus().getAnswerServedAt() == null) {
            status.setAnswerServedAt(conditions.now());
          }
          status.setAnswerRequest(facts);
          patchStatus(ni.getMetadata().getName(), status);
          if (!facts.getMacMatches()) {
            events.warning(
                ni,
                "MacMismatch",
                "the machine that fetched the answer for "
                    + client
                    + " lists NICs "
                    + facts.getMacs()
                    + " but not "
                    + mac);
          } else {
            events.normal(ni, "AnswerServed", "the installer fetched its answer from " + client);
          }
        });
    return install.map(ni -> ni.getMetadata().getName());
  }

  /**
   * The NodeInstall that is Installing on this address, if any: listed by its address label, so a
   * request from an address that holds no install (anyone on the LAN can make nginx report one)
   * costs the API server a list that matches nothing, whatever the number of installs.
   */
  public Optional<NodeInstall> installingAt(Ipv4 address) {
    return installs()
        .withLabel(ApiConstants.LABEL_ADDRESS, address.toString())
        .list()
        .getItems()
        .stream()
        .filter(ni -> phaseOf(ni) == NodeInstallPhase.Installing)
        .filter(ni -> address.toString().equals(ni.getStatus().getAddress()))
        .findFirst();
  }

  private Optional<String> tokenOf(String name) {
    Secret secret =
        client.secrets().inNamespace(settings.namespace()).withName(Names.tokenSecret(name)).get();
    return SecretValues.text(secret, Names.KEY_TOKEN);
  }

  private Optional<NodeInstall> find(String name) {
    return Optional.ofNullable(installs().withName(name).get());
  }

  private NodeInstallPhase phaseOf(NodeInstall ni) {
    return ni.getStatus() == null ? null : ni.getStatus().getPhase();
  }

  private void patchStatus(String name, NodeInstallStatus fields) {
    NodeInstall patch = new NodeInstall();
    patch.getMetadata().setName(name);
    patch.getMetadata().setNamespace(settings.namespace());
    fields.setConditions(null);
    patch.setStatus(fields);
    installs()
        .withName(name)
        .subresource("status")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            patch);
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          NodeInstall,
          io.fabric8.kubernetes.api.model.KubernetesResourceList<NodeInstall>,
          io.fabric8.kubernetes.client.dsl.Resource<NodeInstall>>
      installs() {
    return client.resources(NodeInstall.class).inNamespace(settings.namespace());
  }
}
