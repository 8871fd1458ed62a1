package lan.homelab.pxe.lab.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lan.homelab.pxe.lab.net.Client.DhcpIdentity;
import lan.homelab.pxe.lab.net.Client.HttpReply;

/**
 * A machine played by real clients in its own namespace, step by step as firmware, iPXE and the
 * installer would talk: udhcpc for each DHCP (PXE ROM, iPXE, installer), curl for each HTTP call
 * (per-node script, answer POST with the installer's headers and body, webhook). Fast (no QEMU),
 * for scenarios that need many machines.
 */
public final class ScriptedMachine {
  private static final Pattern SLOT_ADDRESS = Pattern.compile("iseq \\$\\{ip\\} ([0-9.]+) ");
  private static final Pattern WEBHOOK =
      Pattern.compile("(?m)^\\s*url\\s*=\\s*\"([^\"]+/v1/webhook/[^\"]+)\"");
  private static final Pattern AUTH_TOKEN =
      Pattern.compile("(?m)^\\s*auth-token\\s*=\\s*\"([^\"]+)\"");

  private final Client client;
  private final String bootUrl;
  private String address;

  public ScriptedMachine(Client client, String bootUrl) {
    this.client = client;
    this.bootUrl = bootUrl;
  }

  public Client client() {
    return client;
  }

  /** The PXE ROM's DHCP: the lease, if any server answered. */
  public Optional<Map<String, String>> pxeDhcp() {
    Optional<Map<String, String>> lease = client.udhcpc(DhcpIdentity.PXE_BIOS);
    lease.ifPresent(l -> useAddress(l.get("ip")));
    return lease;
  }

  private void useAddress(String ip) {
    if (ip.equals(address)) {
      return;
    }
    if (address != null) {
      Cmd.run("ip", "-n", client.namespace(), "addr", "del", address + "/22", "dev", "eth0");
    }
    client.configureAddress(ip + "/22");
    address = ip;
  }

  /** The per-node script as iPXE's generic script asks for it: 404 until the claim is in force. */
  public HttpReply fetchNodeScript() {
    return client.http("GET", bootUrl + "/ipxe/" + client.mac().objectName(), List.of(), null);
  }

  /**
   * What iPXE does with its per-node script: renews DHCP until it holds the address the script
   * names (bounded), as the script's own loop does; one renewal when the script names none. Returns
   * the address it then holds.
   */
  public Optional<String> ipxeTakesSlotAddress(String nodeScript, int attempts) {
    Matcher m = SLOT_ADDRESS.matcher(nodeScript);
    String slot = m.find() ? m.group(1) : null;
    for (int i = 0; i < attempts; i++) {
      Optional<Map<String, String>> lease = client.udhcpc(DhcpIdentity.IPXE);
      if (lease.isPresent() && (slot == null || slot.equals(lease.get().get("ip")))) {
        // A script without the address check boots on whatever the renewal gave.
        useAddress(lease.get().get("ip"));
        return Optional.of(lease.get().get("ip"));
      }
    }
    return Optional.empty();
  }

  /** The installer's DHCP (its dhclient: no vendor class, asks for 250/251). */
  public Optional<Map<String, String>> installerDhcp() {
    Optional<Map<String, String>> lease = client.udhcpc(DhcpIdentity.PLAIN);
    lease.ifPresent(l -> useAddress(l.get("ip")));
    return lease;
  }

  /** POSTs the installer's answer request (its headers, its JSON with this MAC) to the URL. */
  public HttpReply fetchAnswer(String answerUrl, Path scratch) throws IOException {
    return fetchAnswer(answerUrl, scratch, null);
  }

  /**
   * The same over HTTPS when {@code fingerprint} (DHCP option 251) is given: the certificate must
   * have it, as the installer checks.
   */
  public HttpReply fetchAnswer(String answerUrl, Path scratch, String fingerprint)
      throws IOException {
    String body =
        resource("fake-installer-answer-request.json")
            .replace("@MAC_UPPER@", client.mac().value().toUpperCase(java.util.Locale.ROOT));
    Path file = scratch.resolve("answer-request-" + client.mac().objectName() + ".json");
    Files.writeString(file, body);
    List<String> headers =
        List.of(
            "Content-Type: application/json; charset=utf-8",
            "Accept: application/json, application/toml;q=0.5");
    return fingerprint == null
        ? client.http("POST", answerUrl, headers, file)
        : client.httpsPinned("POST", answerUrl, headers, file, fingerprint);
  }

  /** The webhook URL an answer names, if any. */
  public static Optional<String> webhookUrl(String answer) {
    Matcher m = WEBHOOK.matcher(answer);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** POSTs the installer's post-installation JSON for this machine to the answer's webhook. */
  public HttpReply sendWebhook(String answer, String fqdn, Path scratch) throws IOException {
    return sendWebhook(answer, fqdn, scratch, null);
  }

  /** The same, pinned to the fingerprint when given (the answer's webhook is HTTPS with TLS). */
  public HttpReply sendWebhook(String answer, String fqdn, Path scratch, String fingerprint)
      throws IOException {
    String url = webhookUrl(answer).orElseThrow(() -> new IOException("answer names no webhook"));
    Matcher token = AUTH_TOKEN.matcher(answer);
    String mac = client.mac().value();
    String body =
        resource("fake-installer-post-hook.json")
            .replace("@MAC@", mac)
            .replace("@MAC_HEX@", client.mac().bareHex())
            .replace("@IP@", address == null ? "0.0.0.0" : address)
            .replace("@FQDN@", fqdn)
            .replace("@TOKEN@", token.find() ? token.group(1) : "");
    Path file = scratch.resolve("post-hook-" + client.mac().objectName() + ".json");
    Files.writeString(file, body);
    List<String> headers = List.of("Content-Type: application/json");
    return fingerprint == null
        ? client.http("POST", url, headers, file)
        : client.httpsPinned("POST", url, headers, file, fingerprint);
  }

  /** The address eth0 holds now (the last lease it took). */
  public String address() {
    return address;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ScriptedMachine.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
