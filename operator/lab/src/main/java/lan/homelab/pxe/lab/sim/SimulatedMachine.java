package lan.homelab.pxe.lab.sim;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.lab.sim.SimulatedNetwork.ClientKind;
import lan.homelab.pxe.lab.sim.SimulatedNetwork.Lease;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * One simulated bare-metal machine walking the whole install over HTTP: PXE DHCP (discovery), iPXE
 * DHCP until its slot address is reserved (claim), boot script, the installer's answer POST, the
 * post-installation webhook, then a reboot whose PXE DHCP must be ignored. Every wait is bounded by
 * the deadline; a step that does not happen throws with the reason.
 */
public final class SimulatedMachine implements MachineFleet.Machine {
  private static final Duration RETRY = Duration.ofMillis(300);

  private final int index;
  private final Mac mac;
  private final SimulatedNetwork network;
  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private final Consumer<String> log;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public SimulatedMachine(
      int index,
      Mac mac,
      SimulatedNetwork network,
      KubernetesClient client,
      String namespace,
      Clock clock,
      Consumer<String> log) {
    this.index = index;
    this.mac = mac;
    this.network = network;
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
    this.log = log;
  }

  /** The lab's MACs: QEMU's prefix 52:54:00 and the machine's number. */
  public static Mac macOf(int index) {
    return Mac.parse(String.format("52:54:00:00:00:%02x", index + 1));
  }

  public Mac mac() {
    return mac;
  }

  @Override
  public String name() {
    return mac.objectName();
  }

  /** Runs the whole install; returns normally once a later PXE DHCP was ignored. */
  @Override
  public void run(Instant deadline) throws IOException, InterruptedException {
    Lease discovery = network.dhcp(mac, ClientKind.PXE_ROM, index);
    log("PXE ROM asked DHCP and got pool address " + discovery.address());

    Ipv4 address =
        await(
            "its slot address to be reserved",
            deadline,
            () -> {
              try {
                return Optional.ofNullable(network.dhcp(mac, ClientKind.IPXE, index))
                    .flatMap(l -> network.reservation(mac));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
            });
    log("iPXE got its slot address " + address);

    String script =
        await(
            "its boot script",
            deadline,
            () ->
                fetch(
                    HttpRequest.newBuilder(
                            uri(SimulatedNetwork.BOOT_SCRIPT_PATH + name() + ".ipxe"))
                        .header(SimulatedNetwork.CLIENT_ADDRESS_HEADER, address.toString())
                        .GET()));
    if (!script.startsWith("#!ipxe")) {
      throw new IOException(name() + ": the boot script is not an iPXE script");
    }
    log("iPXE fetched its boot script");

    String answer =
        await(
            "its answer",
            deadline,
            () ->
                fetch(
                    HttpRequest.newBuilder(uri(SimulatedNetwork.ANSWER_PATH))
                        .header("Content-Type", InstallerMessages.ANSWER_CONTENT_TYPE)
                        .header("Accept", InstallerMessages.ANSWER_ACCEPT)
                        .header(SimulatedNetwork.CLIENT_ADDRESS_HEADER, address.toString())
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                InstallerMessages.answerRequest(mac, index)))));
    TomlParseResult toml = Toml.parse(answer);
    if (toml.hasErrors()) {
      throw new IOException(name() + ": the answer is not TOML: " + toml.errors());
    }
    String fqdn = toml.getString("global.fqdn");
    String cidr = toml.getString("network.cidr");
    String webhookUrl = toml.getString("post-installation-webhook.url");
    if (fqdn == null || webhookUrl == null) {
      throw new IOException(name() + ": the answer has no global.fqdn or webhook URL");
    }
    log("installer fetched its answer (" + fqdn + ")");

    HttpResponse<String> webhook =
        http.send(
            HttpRequest.newBuilder(URI.create(webhookUrl))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", InstallerMessages.WEBHOOK_CONTENT_TYPE)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        InstallerMessages.webhook(
                            mac,
                            index,
                            fqdn,
                            cidr == null ? address + "/22" : cidr,
                            toml.getString("post-installation-webhook.auth-token"))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (webhook.statusCode() != 200 && webhook.statusCode() != 201) {
      throw new IOException(
          name()
              + ": the webhook was refused: HTTP "
              + webhook.statusCode()
              + " "
              + webhook.body());
    }
    log("installer posted its webhook; rebooting");

    await(
        "its NodeInstall to be Provisioned",
        deadline,
        () -> Optional.ofNullable(phase()).filter(p -> p == NodeInstallPhase.Provisioned));
    await(
        "DHCP to ignore it after the reboot",
        deadline,
        () -> {
          try {
            return Optional.of(network.dhcp(mac, ClientKind.PXE_ROM, index)).filter(Lease::ignored);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        });
    log("PXE ROM asked DHCP again and was ignored: boots Proxmox VE from its disk");
  }

  private NodeInstallPhase phase() {
    NodeInstall install =
        client.resources(NodeInstall.class).inNamespace(namespace).withName(name()).get();
    return install == null || install.getStatus() == null ? null : install.getStatus().getPhase();
  }

  private URI uri(String path) {
    return URI.create(network.url() + path);
  }

  /** The body of a 200 answer; empty for a 404 (not there yet), an error otherwise. */
  private Optional<String> fetch(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          http.send(
              request.timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        return Optional.of(response.body());
      }
      if (response.statusCode() == 404) {
        return Optional.empty();
      }
      throw new IllegalStateException(
          name() + ": HTTP " + response.statusCode() + " " + response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private <T> T await(String what, Instant deadline, Supplier<Optional<T>> attempt)
      throws IOException, InterruptedException {
    while (true) {
      Optional<T> result = attempt.get();
      if (result.isPresent()) {
        return result.get();
      }
      if (!clock.instant().isBefore(deadline) || Thread.currentThread().isInterrupted()) {
        throw new IOException(name() + " gave up waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(RETRY.toMillis());
    }
  }

  private void log(String message) {
    log.accept(name() + ": " + message);
  }
}
