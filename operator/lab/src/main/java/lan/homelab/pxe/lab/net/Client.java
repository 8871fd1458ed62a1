package lan.homelab.pxe.lab.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lan.homelab.pxe.claim.Mac;

/** A machine on the lab LAN: a client namespace whose eth0 carries the machine's MAC. */
public final class Client {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** PXE ROM vendor class (BIOS, UNDI). */
  public static final String PXE_VENDOR_CLASS = "PXEClient:Arch:00000:UNDI:002001";

  private final NetLab lab;
  private final String namespace;
  private final Mac mac;

  Client(NetLab lab, String namespace, Mac mac) {
    this.lab = lab;
    this.namespace = namespace;
    this.mac = mac;
  }

  public String namespace() {
    return namespace;
  }

  public Mac mac() {
    return mac;
  }

  /** How a udhcpc run presents itself. */
  public record DhcpIdentity(String vendorClass, String userClass, Integer arch) {
    /** A BIOS PXE ROM: vendor class PXEClient, client architecture 0. */
    public static final DhcpIdentity PXE_BIOS = new DhcpIdentity(PXE_VENDOR_CLASS, null, 0);

    /** iPXE: PXEClient plus user class iPXE. */
    public static final DhcpIdentity IPXE = new DhcpIdentity(PXE_VENDOR_CLASS, "iPXE", 0);

    /** A plain client, like a laptop or the installer's dhclient. */
    public static final DhcpIdentity PLAIN = new DhcpIdentity(null, null, null);
  }

  /**
   * One busybox udhcpc run (DISCOVER, REQUEST) asking for option 250; the lease's fields (ip,
   * hostname, boot_file, opt250, ...) or empty when no server answered within ~3 s.
   */
  public Optional<Map<String, String>> udhcpc(DhcpIdentity identity) {
    try {
      List<String> cmd = new ArrayList<>(List.of("busybox", "udhcpc", "-i", "eth0", "-f", "-n"));
      cmd.addAll(List.of("-q", "-t", "3", "-T", "1", "-A", "1", "-O", "250", "-O", "251"));
      cmd.addAll(List.of("-s", lab.script("udhcpc-script.sh").toString()));
      if (identity.vendorClass() != null) {
        cmd.addAll(List.of("-V", identity.vendorClass()));
      }
      if (identity.userClass() != null) {
        cmd.addAll(List.of("-x", "0x4d:" + hex(identity.userClass())));
      }
      if (identity.arch() != null) {
        cmd.addAll(List.of("-x", String.format("0x5d:%04x", identity.arch())));
      }
      Cmd.Result r = lab.exec(namespace, cmd, 20);
      if (!r.ok()) {
        return Optional.empty();
      }
      Map<String, String> lease = new LinkedHashMap<>();
      for (String line : r.out().split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0 && line.substring(0, eq).matches("[a-z_0-9]+")) {
          lease.put(line.substring(0, eq), line.substring(eq + 1).trim());
        }
      }
      return lease.containsKey("ip") ? Optional.of(lease) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the raw prober saw: the reply type (offer, ack, nak) or null, and its fields. */
  public record ProbeReply(String reply, String yiaddr, Map<String, String> options) {}

  /** Sends one raw DHCP message (scapy) for any hardware address and reports the reply. */
  public ProbeReply probe(Mac chaddr, String mode, String ip, String server, boolean pxe) {
    try {
      List<String> cmd =
          new ArrayList<>(List.of(NetLab.PYTHON, lab.script("dhcp-probe.py").toString()));
      cmd.addAll(List.of("--mac", chaddr.value(), "--mode", mode, "--timeout", "2"));
      if (ip != null) {
        cmd.addAll(List.of("--ip", ip));
      }
      if (server != null) {
        cmd.addAll(List.of("--server", server, "--server-mac", lab.bridgeMac()));
      }
      if (pxe) {
        cmd.addAll(List.of("--vendor-class", PXE_VENDOR_CLASS, "--arch", "0"));
      }
      Cmd.Result r = lab.exec(namespace, cmd, 30);
      String json = r.out().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("");
      if (json.isEmpty()) {
        throw new IllegalStateException("prober failed: " + r.out());
      }
      return parse(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the flood sent and what came back. */
  public record FloodReport(
      int discovers, int offers, int requests, int acks, int naks, double seconds) {}

  /**
   * Plays {@code count} forged PXE clients over {@code seconds} (scapy, dhcp-flood.py): each with
   * its own hardware address ({@code prefix} and a counter) sends a DISCOVER and, when offered, a
   * REQUEST, so dnsmasq ACKs it and runs its lease hook. Only on this client's eth0.
   */
  public FloodReport flood(int count, double seconds, String prefix) {
    try {
      List<String> cmd =
          new ArrayList<>(List.of(NetLab.PYTHON, lab.script("dhcp-flood.py").toString()));
      cmd.addAll(
          List.of(
              "--count",
              String.valueOf(count),
              "--seconds",
              String.valueOf(seconds),
              "--prefix",
              prefix));
      Cmd.Result r = lab.exec(namespace, cmd, (long) seconds + 60);
      String json = r.out().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("");
      if (json.isEmpty()) {
        throw new IllegalStateException("flood failed: " + r.out());
      }
      var node = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().readTree(json);
      return new FloodReport(
          node.get("discovers").asInt(),
          node.get("offers").asInt(),
          node.get("requests").asInt(),
          node.get("acks").asInt(),
          node.get("naks").asInt(),
          node.get("seconds").asDouble());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Gives eth0 a static address (for HTTP tests), e.g. 10.11.0.2/22. */
  public void configureAddress(String cidr) {
    Cmd.check("ip", "-n", namespace, "addr", "add", cidr, "dev", "eth0");
  }

  /** An HTTP response as curl saw it. */
  public record HttpReply(int status, String body) {}

  /**
   * Makes one HTTP request with curl from this machine.
   *
   * @param body a file to send as the request body, or null
   */
  public HttpReply http(String method, String url, List<String> headers, Path body) {
    return curl(method, url, headers, body, List.of());
  }

  /**
   * Makes one HTTPS request as the Proxmox installer does with a {@code cert-fingerprint}: the
   * server's certificate must have this SHA-256 fingerprint (colon-separated hex, any case); the
   * chain is not checked.
   */
  public HttpReply httpsPinned(
      String method, String url, List<String> headers, Path body, String fingerprint) {
    java.net.URI uri = java.net.URI.create(url);
    Cmd.Result cert =
        lab.exec(
            namespace,
            List.of(
                "sh",
                "-c",
                "openssl s_client -connect "
                    + uri.getHost()
                    + ":"
                    + uri.getPort()
                    + " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"),
            15);
    String seen = cert.out().replaceAll("(?s).*Fingerprint=", "").trim();
    if (!seen.equalsIgnoreCase(fingerprint.trim())) {
      throw new IllegalStateException(
          url + " presents the certificate " + seen + ", not the pinned " + fingerprint);
    }
    return curl(method, url, headers, body, List.of("-k"));
  }

  private HttpReply curl(
      String method, String url, List<String> headers, Path body, List<String> flags) {
    List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-m", "5", "-X", method));
    cmd.addAll(flags);
    for (String h : headers) {
      cmd.addAll(List.of("-H", h));
    }
    if (body != null) {
      cmd.addAll(List.of("--data-binary", "@" + body));
    }
    cmd.addAll(List.of("-w", "\n%{http_code}", url));
    Cmd.Result r = lab.exec(namespace, cmd, 15);
    String out = r.out();
    int nl = out.lastIndexOf('\n');
    String code = out.substring(nl + 1).trim();
    if (!code.matches("\\d{3}")) {
      throw new IllegalStateException("curl failed: " + out);
    }
    return new HttpReply(Integer.parseInt(code), nl < 0 ? "" : out.substring(0, nl));
  }

  private static ProbeReply parse(String json) throws IOException {
    JsonNode node = JSON.readTree(json);
    Map<String, String> options = new LinkedHashMap<>();
    node.path("options")
        .fields()
        .forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
    return new ProbeReply(
        node.path("reply").isNull() ? null : node.path("reply").asText(),
        node.path("yiaddr").isNull() ? null : node.path("yiaddr").asText(),
        options);
  }

  private static String hex(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
      out.append(String.format("%02x", b));
    }
    return out.toString();
  }
}
