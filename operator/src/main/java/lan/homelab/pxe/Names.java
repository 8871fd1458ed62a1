package lan.homelab.pxe;

/**
 * Names of the objects the operator writes and the boot pod reads. The chart, its RBAC and the sync
 * process depend on them; README's names table lists the same.
 */
public final class Names {
  /** dnsmasq's static configuration (a change restarts dnsmasq). Key {@link #KEY_DNSMASQ_CONF}. */
  public static final String CONFIGMAP_DNSMASQ = "pxe-dnsmasq";

  public static final String KEY_DNSMASQ_CONF = "dnsmasq.conf";

  /** dnsmasq host entries: reservations and ignores (a change is re-read on SIGHUP). */
  public static final String CONFIGMAP_DNSMASQ_HOSTS = "pxe-dnsmasq-hosts";

  public static final String KEY_HOSTS = "hosts";

  /**
   * Same ConfigMap (it changes with the same installs): the addresses that may fetch {@code
   * /assets/}, one per line, the slot and leased addresses of every Installing machine. The sync
   * process turns them into nginx's {@code allow} include.
   */
  public static final String KEY_ASSETS_ALLOW = "assets-allow";

  /** nginx configuration and the generic iPXE script. */
  public static final String CONFIGMAP_BOOT = "pxe-boot";

  public static final String KEY_NGINX_CONF = "nginx.conf";
  public static final String KEY_GENERIC_IPXE = "boot.ipxe";

  /** Per Installing node: its answer and its iPXE script; exists only while it installs. */
  public static final String CONFIGMAP_NODE_PREFIX = "pxe-node-";

  public static final String KEY_ANSWER = "answer.toml";
  public static final String KEY_NODE_IPXE = "node.ipxe";
  public static final String KEY_ADDRESS = "address";
  public static final String KEY_MAC = "mac";

  /** The user's answer template. */
  public static final String CONFIGMAP_ANSWER_TEMPLATE = "pxe-answer-template";

  public static final String KEY_TEMPLATE = "answer.toml";

  /** The user's root password: key {@code password} (plain) or {@code hash} (crypt). */
  public static final String SECRET_ROOT_PASSWORD = "pxe-root-password";

  /** The operator's SHA-512 crypt of a plain root password, kept so rendering is stable. */
  public static final String SECRET_ROOT_PASSWORD_HASH = "pxe-root-password-hash";

  /** Per node: its webhook token. Key {@link #KEY_TOKEN}. */
  public static final String SECRET_TOKEN_PREFIX = "pxe-token-";

  public static final String KEY_TOKEN = "token";

  /** Shared secret of dnsmasq's lease hook and the intake (header {@code X-Pxe-Hook-Token}). */
  public static final String SECRET_DHCP_HOOK = "pxe-dhcp-hook";

  public static final String HEADER_HOOK_TOKEN = "X-Pxe-Hook-Token";

  /** The operator's self-signed TLS certificate (tls.crt, tls.key). */
  public static final String SECRET_TLS = "pxe-tls";

  public static String nodeConfigMap(String nodeInstallName) {
    return CONFIGMAP_NODE_PREFIX + nodeInstallName;
  }

  public static String tokenSecret(String nodeInstallName) {
    return SECRET_TOKEN_PREFIX + nodeInstallName;
  }

  private Names() {}
}
