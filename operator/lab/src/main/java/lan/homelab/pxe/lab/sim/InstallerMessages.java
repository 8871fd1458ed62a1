package lan.homelab.pxe.lab.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import lan.homelab.pxe.claim.Mac;

/**
 * The two JSON bodies the Proxmox installer 9.2 sends, built from the project's copies of the
 * captured examples ({@code answer-request-body.v9.2.json}, {@code post-hook-body.v1.2.json}) with
 * one simulated machine's identity filled in: MACs (upper case in the answer request as 9.2 sends
 * them), DMI serial and UUID, FQDN, management address, SSH host keys.
 */
public final class InstallerMessages {
  /** Headers of the installer's answer fetch (9.2). */
  public static final String ANSWER_CONTENT_TYPE = "application/json; charset=utf-8";

  public static final String ANSWER_ACCEPT = "application/json, application/toml;q=0.5";
  public static final String WEBHOOK_CONTENT_TYPE = "application/json; charset=utf-8";

  private static final ObjectMapper JSON = new ObjectMapper();

  private InstallerMessages() {}

  /** The machine's second NIC: the PXE MAC plus one in the last byte. */
  static Mac secondNic(Mac mac) {
    String hex = mac.bareHex();
    long next = (Long.parseLong(hex, 16) + 1) & 0xffffffffffffL;
    return Mac.parse(String.format(Locale.ROOT, "%012x", next));
  }

  /** The answer request body of a machine whose first NIC has {@code mac}. */
  public static String answerRequest(Mac mac, int index) {
    ObjectNode body = (ObjectNode) fixture("answer-request-body.v9.2.json");
    ObjectNode system = (ObjectNode) body.path("dmi").path("system");
    system.put("serial", serial(index));
    system.put("uuid", uuid(index));
    ArrayNode nics = (ArrayNode) body.path("network_interfaces");
    ((ObjectNode) nics.get(0)).put("mac", mac.value().toUpperCase(Locale.ROOT));
    ((ObjectNode) nics.get(1)).put("mac", secondNic(mac).value().toUpperCase(Locale.ROOT));
    return write(body);
  }

  /**
   * The post-installation webhook body: {@code token} is the answer's auth-token, or null when the
   * answer set none (the installer then sends no token field).
   */
  public static String webhook(Mac mac, int index, String fqdn, String cidr, String token) {
    ObjectNode body = (ObjectNode) fixture("post-hook-body.v1.2.json");
    ObjectNode system = (ObjectNode) body.path("dmi").path("system");
    system.put("serial", serial(index));
    system.put("uuid", uuid(index));
    body.put("fqdn", fqdn);
    body.put("machine-id", String.format(Locale.ROOT, "%032x", index));
    Mac[] macs = {mac, secondNic(mac)};
    ArrayNode nics = (ArrayNode) body.path("network-interfaces");
    for (int i = 0; i < 2; i++) {
      ObjectNode nic = (ObjectNode) nics.get(i);
      nic.put("mac", macs[i].value());
      ((ObjectNode) nic.path("udev-properties")).put("ID_NET_NAME_MAC", "enx" + macs[i].bareHex());
    }
    ((ObjectNode) nics.get(0)).put("address", cidr);
    String host = fqdn.contains(".") ? fqdn.substring(0, fqdn.indexOf('.')) : fqdn;
    ObjectNode keys = (ObjectNode) body.path("ssh-public-host-keys");
    keys.fieldNames()
        .forEachRemaining(
            k -> keys.put(k, keys.path(k).asText().replace("root@node1", "root@" + host)));
    if (token == null) {
      body.remove("token");
    } else {
      body.put("token", token);
    }
    return write(body);
  }

  private static String serial(int index) {
    return String.format(Locale.ROOT, "LAB%06d", index);
  }

  private static String uuid(int index) {
    return String.format(Locale.ROOT, "00000000-0000-0000-0000-%012d", index);
  }

  private static JsonNode fixture(String name) {
    try (InputStream in = InstallerMessages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the classpath");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String write(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
