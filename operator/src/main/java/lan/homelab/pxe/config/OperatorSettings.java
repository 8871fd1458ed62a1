package lan.homelab.pxe.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import lan.homelab.pxe.answer.InstallerVersion;

/**
 * Everything the operator needs to know about the cluster LAN and its own policies, in one place.
 * Read from a YAML map (the chart's values become this file; the lab writes its own). Every key has
 * a default, the seed's network; {@link #fromMap} names each bad setting it refuses.
 *
 * @param namespace namespace of the custom resources and of every object the operator writes
 * @param interfaceName the cluster LAN interface dnsmasq binds to (vmbr0)
 * @param network the cluster network (10.11.0.0/22)
 * @param gateway gateway the installed nodes use
 * @param dns the one DNS server the installed nodes use
 * @param domain DNS domain of the nodes; fqdn = hostname + "." + domain
 * @param serverAddress address of the provisioning server on the LAN (dnsmasq, nginx)
 * @param discoveryPoolStart first address dnsmasq lends to PXE clients that hold no slot yet
 * @param discoveryPoolEnd last address of the discovery pool
 * @param bootHttpUrl base URL of nginx as the machines reach it (boot scripts, assets, answers); by
 *     default {@code http://<serverAddress>:<nginxHttpPort>}
 * @param webhookUrl base URL the installer posts its webhook to (nginx forwards to the operator)
 * @param tlsEnabled whether answers point the installer at HTTPS with a pinned fingerprint
 * @param installerVersion Proxmox installer release the answers are written for
 * @param claimPolicy automatic, or approval (a person approves each newcomer)
 * @param denyList MACs and MAC prefixes that never claim a slot
 * @param allowList MAC prefixes (whole bytes) of the only PXE clients that get a discovery-pool
 *     lease and can be discovered; empty: every PXE client. The deny list wins over it.
 * @param maxConcurrentInstalls how many installs may run at once; 0 means no limit
 * @param installTimeout how long an install may take before it is marked Failed; at least {@link
 *     #MIN_INSTALL_TIMEOUT}
 * @param slotOnDelete keep (the slot stays reserved for the deleted machine) or release
 * @param maxUnclaimedInstalls how many NodeInstalls the DHCP intake keeps that hold no slot
 *     (Waiting, AwaitingApproval); a discovery beyond it creates nothing. At least 1
 * @param unbootedRelease how long a claim may go without a boot-script fetch before the install
 *     gives its slot back (released, not kept for its MAC) and is deleted; at least {@link
 *     #MIN_UNBOOTED_RELEASE}
 * @param rootPasswordSecret the Secret the root password (key {@code hash} or {@code password}) is
 *     read from: the chart's own, or a Secret someone else made ({@code
 *     rootPassword.existingSecret})
 * @param httpPort port of the operator's own HTTP server
 * @param nginxHttpPort nginx's HTTP port on the boot node's host network
 * @param nginxHttpsPort nginx's HTTPS port there (answers and webhooks when TLS is on)
 * @param operatorUrl where nginx in the boot pod reaches this HTTP server (the Service URL); when
 *     set, the operator publishes the boot pod's static configuration (pxe-dnsmasq, pxe-boot); null
 *     when someone else does (the lab's network harness)
 */
public record OperatorSettings(
    String namespace,
    String interfaceName,
    Ipv4Network network,
    Ipv4 gateway,
    Ipv4 dns,
    String domain,
    Ipv4 serverAddress,
    Ipv4 discoveryPoolStart,
    Ipv4 discoveryPoolEnd,
    String bootHttpUrl,
    String webhookUrl,
    boolean tlsEnabled,
    InstallerVersion installerVersion,
    ClaimPolicy claimPolicy,
    List<String> denyList,
    List<String> allowList,
    int maxConcurrentInstalls,
    Duration installTimeout,
    SlotOnDelete slotOnDelete,
    int maxUnclaimedInstalls,
    Duration unbootedRelease,
    String rootPasswordSecret,
    int httpPort,
    int nginxHttpPort,
    int nginxHttpsPort,
    String operatorUrl) {

  /** Proxmox's own virtual NICs: a new VM on vmbr0 trying the network first is never installed. */
  public static final String PROXMOX_VIRTUAL_NIC_PREFIX = "bc:24:11";

  /**
   * The lowest port nginx may listen on: it runs as an unprivileged user with no capabilities, so
   * it cannot bind a privileged port.
   */
  public static final int MIN_NGINX_PORT = 1025;

  /** No installer finishes sooner: a shorter timeout would fail every install. */
  public static final Duration MIN_INSTALL_TIMEOUT = Duration.ofMinutes(1);

  /** iPXE fetches its script seconds after the claim is in force; a minute is the least wait. */
  public static final Duration MIN_UNBOOTED_RELEASE = Duration.ofMinutes(1);

  private static final Pattern SECRET_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final Pattern DOMAIN =
      Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern MAC_OR_PREFIX = Pattern.compile("([0-9a-f]{2}[:-]?){1,6}");
  private static final Pattern MAC_BYTES_PREFIX =
      Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){0,5}|[0-9a-f]{2}(-[0-9a-f]{2}){0,5}");

  /** How newcomers are let in. */
  public enum ClaimPolicy {
    automatic,
    approval
  }

  /** What happens to a slot when its NodeInstall is deleted. */
  public enum SlotOnDelete {
    keep,
    release
  }

  /** The seed's network: rainbow-road at 10.11.0.1 on 10.11.0.0/22. */
  public static OperatorSettings defaults() {
    return fromMap(Map.of());
  }

  /**
   * Reads settings from a YAML map; throws {@link InvalidSettingsException} naming each bad key.
   */
  public static OperatorSettings fromMap(Map<String, ?> raw) {
    Reader in = new Reader(raw);
    String namespace = in.string("namespace", "pxe-system");
    String interfaceName = in.string("interface", "vmbr0");
    Ipv4Network network = in.parse("network", "10.11.0.0/22", Ipv4Network::parse);
    Ipv4 gateway = in.parse("gateway", "10.11.0.1", Ipv4::parse);
    Ipv4 dns = in.parse("dns", "10.11.0.1", Ipv4::parse);
    String domain = in.string("domain", "homelab.lan").toLowerCase(Locale.ROOT);
    Ipv4 server = in.parse("serverAddress", "10.11.0.1", Ipv4::parse);
    Ipv4 poolStart = in.parse("discoveryPool.start", "10.11.3.200", Ipv4::parse);
    Ipv4 poolEnd = in.parse("discoveryPool.end", "10.11.3.254", Ipv4::parse);
    int nginxHttpPort = in.nginxPort("nginxHttpPort", 8080);
    int nginxHttpsPort = in.nginxPort("nginxHttpsPort", 8443);
    String bootHttpUrl = in.string("bootHttpUrl", "http://" + server + ":" + nginxHttpPort);
    String webhookUrl = in.string("webhookUrl", bootHttpUrl);
    boolean tls = in.bool("tls.enabled", false);
    InstallerVersion installerVersion =
        in.parse("installerVersion", InstallerVersion.NEWEST.label(), InstallerVersion::parse);
    ClaimPolicy policy = in.parse("claimPolicy", "automatic", ClaimPolicy::valueOf);
    List<String> denyList = in.list("denyList", List.of(PROXMOX_VIRTUAL_NIC_PREFIX));
    List<String> allowList = in.list("allowList", List.of());
    int maxInstalls = in.parse("maxConcurrentInstalls", "0", Integer::parseInt);
    Duration timeout = in.parse("installTimeout", "60m", OperatorSettings::parseDuration);
    SlotOnDelete slotOnDelete = in.parse("slotOnDelete", "keep", SlotOnDelete::valueOf);
    int maxUnclaimed = in.parse("maxUnclaimedInstalls", "32", Integer::parseInt);
    Duration unbooted = in.parse("unbootedRelease", "10m", OperatorSettings::parseDuration);
    String rootPasswordSecret =
        in.string("rootPassword.existingSecret", "").isEmpty()
            ? lan.homelab.pxe.Names.SECRET_ROOT_PASSWORD
            : in.string("rootPassword.existingSecret", "");
    int httpPort = in.parse("httpPort", "8081", Integer::parseInt);
    String operatorUrl = in.string("operatorUrl", "");

    if (network != null) {
      in.check("gateway", gateway == null || network.isHost(gateway), "is outside " + network);
      in.check("serverAddress", server == null || network.isHost(server), "is outside " + network);
      in.check(
          "discoveryPool.start",
          poolStart == null || network.isHost(poolStart),
          "is outside " + network);
      in.check(
          "discoveryPool.end", poolEnd == null || network.isHost(poolEnd), "is outside " + network);
    }
    if (poolStart != null && poolEnd != null) {
      in.check("discoveryPool.end", poolStart.compareTo(poolEnd) <= 0, "is before the start");
      for (var fixed : List.of(gateway, server)) {
        if (fixed != null) {
          in.check(
              "discoveryPool",
              fixed.compareTo(poolStart) < 0 || fixed.compareTo(poolEnd) > 0,
              "contains " + fixed + " (gateway or server)");
        }
      }
    }
    in.check("domain", DOMAIN.matcher(domain).matches(), "is not a DNS domain: " + domain);
    in.check("interface", interfaceName.matches("[A-Za-z0-9_.:-]{1,15}"), "is not an interface");
    in.check("bootHttpUrl", bootHttpUrl.matches("https?://[^\\s/]+(:[0-9]+)?/?"), "is not a URL");
    in.check("webhookUrl", webhookUrl.matches("https?://[^\\s/]+(:[0-9]+)?/?"), "is not a URL");
    for (String entry : denyList) {
      in.check(
          "denyList",
          MAC_OR_PREFIX.matcher(entry.toLowerCase(Locale.ROOT)).matches(),
          "entry '" + entry + "' is not a MAC or MAC prefix");
    }
    for (String entry : allowList) {
      in.check(
          "allowList",
          MAC_BYTES_PREFIX.matcher(entry.toLowerCase(Locale.ROOT)).matches(),
          "entry '" + entry + "' is not a MAC prefix of whole bytes (like 52:54:00)");
    }
    in.check("maxConcurrentInstalls", maxInstalls >= 0, "must be 0 (no limit) or more");
    in.check(
        "installTimeout",
        timeout == null || timeout.compareTo(MIN_INSTALL_TIMEOUT) >= 0,
        "must be at least 1m");
    in.check("maxUnclaimedInstalls", maxUnclaimed >= 1, "must be 1 or more");
    in.check(
        "unbootedRelease",
        unbooted == null || unbooted.compareTo(MIN_UNBOOTED_RELEASE) >= 0,
        "must be at least 1m");
    in.check(
        "rootPassword.existingSecret",
        rootPasswordSecret.length() <= 253 && SECRET_NAME.matcher(rootPasswordSecret).matches(),
        "is not a Secret name: '" + rootPasswordSecret + "'");
    in.check("httpPort", httpPort > 0 && httpPort < 65536, "is not a port");
    in.check(
        "operatorUrl",
        operatorUrl.isEmpty() || operatorUrl.matches("https?://[^\\s/]+(:[0-9]+)?/?"),
        "is not a URL");
    in.failIfAny();
    return new OperatorSettings(
        namespace,
        interfaceName,
        network,
        gateway,
        dns,
        domain,
        server,
        poolStart,
        poolEnd,
        stripSlash(bootHttpUrl),
        stripSlash(webhookUrl),
        tls,
        installerVersion,
        policy,
        List.copyOf(denyList),
        allowList.stream().map(e -> e.toLowerCase(Locale.ROOT).replace('-', ':')).toList(),
        maxInstalls,
        timeout,
        slotOnDelete,
        maxUnclaimed,
        unbooted,
        rootPasswordSecret,
        httpPort,
        nginxHttpPort,
        nginxHttpsPort,
        operatorUrl.isEmpty() ? null : stripSlash(operatorUrl));
  }

  /** Whether the address lies inside the discovery pool. */
  public boolean inDiscoveryPool(Ipv4 address) {
    return address.compareTo(discoveryPoolStart) >= 0 && address.compareTo(discoveryPoolEnd) <= 0;
  }

  /** A copy with other values for some keys, as {@link #fromMap} reads them. */
  public OperatorSettings with(Map<String, ?> overrides) {
    Map<String, Object> merged = new LinkedHashMap<>(toMap());
    merged.putAll(overrides);
    return fromMap(merged);
  }

  /** The settings as the flat map {@link #fromMap} reads. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("namespace", namespace);
    map.put("interface", interfaceName);
    map.put("network", network.toString());
    map.put("gateway", gateway.toString());
    map.put("dns", dns.toString());
    map.put("domain", domain);
    map.put("serverAddress", serverAddress.toString());
    map.put("discoveryPool.start", discoveryPoolStart.toString());
    map.put("discoveryPool.end", discoveryPoolEnd.toString());
    map.put("bootHttpUrl", bootHttpUrl);
    map.put("webhookUrl", webhookUrl);
    map.put("tls.enabled", tlsEnabled);
    map.put("installerVersion", installerVersion.label());
    map.put("claimPolicy", claimPolicy.name());
    map.put("denyList", denyList);
    map.put("allowList", allowList);
    map.put("maxConcurrentInstalls", maxConcurrentInstalls);
    map.put("installTimeout", installTimeout.toSeconds() + "s");
    map.put("slotOnDelete", slotOnDelete.name());
    map.put("maxUnclaimedInstalls", maxUnclaimedInstalls);
    map.put("unbootedRelease", unbootedRelease.toSeconds() + "s");
    map.put("rootPassword.existingSecret", rootPasswordSecret);
    map.put("httpPort", httpPort);
    map.put("nginxHttpPort", nginxHttpPort);
    map.put("nginxHttpsPort", nginxHttpsPort);
    if (operatorUrl != null) {
      map.put("operatorUrl", operatorUrl);
    }
    return map;
  }

  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.matches("[0-9]+ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.matches("[0-9]+[smh]")) {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      }
      return Duration.parse(text.trim());
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("not a duration like 60m, 90s or PT1H: '" + text + "'");
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** Reads dotted keys from nested or flat maps and collects what is wrong with them. */
  private static final class Reader {
    private final Map<String, ?> raw;
    private final List<String> errors = new ArrayList<>();

    Reader(Map<String, ?> raw) {
      this.raw = raw == null ? Map.of() : raw;
    }

    Object lookup(String key) {
      if (raw.containsKey(key)) {
        return raw.get(key);
      }
      Object node = raw;
      for (String part : key.split("\\.")) {
        if (!(node instanceof Map<?, ?> map) || !map.containsKey(part)) {
          return null;
        }
        node = map.get(part);
      }
      return node;
    }

    String string(String key, String fallback) {
      Object value = lookup(key);
      return value == null ? fallback : String.valueOf(value).trim();
    }

    boolean bool(String key, boolean fallback) {
      String text = string(key, String.valueOf(fallback));
      if (!text.equals("true") && !text.equals("false")) {
        errors.add(key + ": must be true or false, got '" + text + "'");
        return fallback;
      }
      return Boolean.parseBoolean(text);
    }

    List<String> list(String key, List<String> fallback) {
      Object value = lookup(key);
      if (value == null) {
        return fallback;
      }
      if (value instanceof List<?> items) {
        return items.stream().map(String::valueOf).map(String::trim).toList();
      }
      String text = String.valueOf(value).trim();
      return text.isEmpty() ? List.of() : List.of(text.split("\\s*,\\s*"));
    }

    <T> T parse(String key, String fallback, java.util.function.Function<String, T> parser) {
      String text = string(key, fallback);
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) {
        errors.add(key + ": " + e.getMessage());
        return null;
      }
    }

    /** A port nginx can bind unprivileged; the fallback (noted as an error) when it is not. */
    int nginxPort(String key, int fallback) {
      Integer port = parse(key, String.valueOf(fallback), Integer::parseInt);
      if (port == null) {
        return fallback;
      }
      check(
          key,
          port >= MIN_NGINX_PORT && port <= 65535,
          "must be "
              + MIN_NGINX_PORT
              + "..65535 (nginx runs unprivileged and cannot bind a lower port), got "
              + port);
      return port;
    }

    void check(String key, boolean ok, String problem) {
      if (!ok) {
        errors.add(key + ": " + problem);
      }
    }

    void failIfAny() {
      if (!errors.isEmpty()) {
        throw new InvalidSettingsException(errors);
      }
    }
  }
}
