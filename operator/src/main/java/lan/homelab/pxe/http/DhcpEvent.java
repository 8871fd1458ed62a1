package lan.homelab.pxe.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.install.ClientType;
import lan.homelab.pxe.install.DiscoveryReport;

/**
 * One lease event of dnsmasq's {@code dhcp-script}, as {@code dhcp-event-hook.sh} posts it to
 * {@code POST /v1/dhcp-events}. The wire format is one JSON object of strings:
 *
 * <pre>{@code
 * {"action": "add" | "old" | "del",            required
 *  "mac": "aa:bb:cc:dd:ee:ff",                 required, any common notation
 *  "ip": "10.11.3.200",                        required, IPv4
 *  "hostname": "...",                          optional (what the client asked for)
 *  "tags": "bios known",                       optional, DNSMASQ_TAGS (space separated)
 *  "vendorClass": "PXEClient:Arch:00000:...",  optional, DNSMASQ_VENDOR_CLASS
 *  "userClass": "iPXE",                        optional, DNSMASQ_USER_CLASS0
 *  "interface": "vmbr0",                       optional, DNSMASQ_INTERFACE
 *  "clientId": "01:aa:bb:..."}                 optional, DNSMASQ_CLIENT_ID
 * }</pre>
 *
 * Any other field, a duplicate field, a non-string value or a malformed value is refused. The
 * client is an iPXE when its user class is {@code iPXE}, else a PXE ROM when its vendor class
 * starts with {@code PXEClient}, else something else. The architecture comes from the tags, which
 * dnsmasq's configuration sets from DHCP option 93 with these names (aliases in brackets): {@code
 * bios}, {@code x86-64-efi} [efi64, efi-x86_64, x86_64-efi], {@code ia32-efi} [efi32, efi-x86],
 * {@code arm64-efi} [efi-arm64].
 *
 * @param action add, old or del
 * @param report what the event says about the client
 */
record DhcpEvent(String action, DiscoveryReport report) {
  private static final Set<String> FIELDS =
      Set.of(
          "action",
          "mac",
          "ip",
          "hostname",
          "tags",
          "vendorClass",
          "userClass",
          "interface",
          "clientId");
  private static final Set<String> ACTIONS = Set.of("add", "old", "del");
  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
  private static final Pattern PRINTABLE = Pattern.compile("[\\x20-\\x7e]*");
  private static final int MAX_FIELD = 255;

  static DhcpEvent parse(byte[] body) {
    JsonNode json = Json.object(body);
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw HttpError.badRequest("unknown field " + quoted(name));
      }
    }
    String action = field(json, "action", true);
    if (!ACTIONS.contains(action)) {
      throw HttpError.badRequest("action must be add, old or del, not " + quoted(action));
    }
    String macText = field(json, "mac", true);
    Mac mac =
        Mac.tryParse(macText)
            .orElseThrow(
                () -> HttpError.badRequest("mac is not a MAC address: " + quoted(macText)));
    String ipText = field(json, "ip", true);
    Ipv4 ip =
        Ipv4.tryParse(ipText)
            .orElseThrow(
                () -> HttpError.badRequest("ip is not an IPv4 address: " + quoted(ipText)));
    field(json, "hostname", false);
    field(json, "clientId", false);
    String tags = field(json, "tags", false);
    String vendorClass = field(json, "vendorClass", false);
    String userClass = field(json, "userClass", false);
    String iface = field(json, "interface", false);
    if (iface != null && !iface.isEmpty() && !INTERFACE.matcher(iface).matches()) {
      throw HttpError.badRequest("interface is not an interface name: " + quoted(iface));
    }
    return new DhcpEvent(
        action,
        new DiscoveryReport(
            mac,
            ip,
            clientType(vendorClass, userClass),
            architecture(tags),
            iface == null || iface.isEmpty() ? null : iface));
  }

  static ClientType clientType(String vendorClass, String userClass) {
    if ("iPXE".equals(userClass)) {
      return ClientType.IPXE;
    }
    if (vendorClass != null && vendorClass.startsWith("PXEClient")) {
      return ClientType.PXE;
    }
    return ClientType.OTHER;
  }

  /** The architecture named by the first tag that names one, else null. */
  static String architecture(String tags) {
    if (tags == null) {
      return null;
    }
    for (String tag : tags.trim().split("\\s+")) {
      String arch =
          switch (tag.toLowerCase(Locale.ROOT)) {
            case "bios" -> "bios";
            case "x86-64-efi", "efi64", "efi-x86_64", "x86_64-efi" -> "x86-64-efi";
            case "ia32-efi", "efi32", "efi-x86" -> "ia32-efi";
            case "arm64-efi", "efi-arm64" -> "arm64-efi";
            default -> null;
          };
      if (arch != null) {
        return arch;
      }
    }
    return null;
  }

  private static String field(JsonNode json, String name, boolean required) {
    String value = Json.text(json, name, "");
    if (value == null || (required && value.isBlank())) {
      if (required) {
        throw HttpError.badRequest("missing field " + name);
      }
      return null;
    }
    if (value.length() > MAX_FIELD) {
      throw HttpError.badRequest(name + " is longer than " + MAX_FIELD + " characters");
    }
    if (!PRINTABLE.matcher(value).matches()) {
      throw HttpError.badRequest(name + " contains control or non-ASCII characters");
    }
    return value;
  }

  private static String quoted(String text) {
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return "'" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'";
  }
}
