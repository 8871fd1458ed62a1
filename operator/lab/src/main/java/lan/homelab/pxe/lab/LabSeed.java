package lan.homelab.pxe.lab;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec;

/**
 * What the lab puts into its empty API before the operator starts: the namespace, the seed's five
 * slots, the example answer template, a root password and the DHCP hook's shared secret.
 */
public final class LabSeed {
  /** One queue entry of the seed; a null hostname lets the operator derive one. */
  public record SeedSlot(String name, String address, String hostname) {}

  public static final List<SeedSlot> SLOTS =
      List.of(
          new SeedSlot("peach-beach", "10.11.0.2", "peach-beach"),
          new SeedSlot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows"),
          new SeedSlot("slot-10-11-0-4", "10.11.0.4", null),
          new SeedSlot("slot-10-11-0-5", "10.11.0.5", null),
          new SeedSlot("slot-10-11-0-6", "10.11.0.6", null));

  /** The lab's root password: example only, the lab installs nothing real. */
  public static final String ROOT_PASSWORD = "lab-only-password";

  static final String TEMPLATE_RESOURCE = "/lan/homelab/pxe/lab/answer-template.toml";

  private LabSeed() {}

  /** Creates everything in {@code namespace}; returns the DHCP hook token it minted. */
  public static String apply(KubernetesClient client, String namespace) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    for (SeedSlot seed : SLOTS) {
      client
          .resources(ProvisioningSlot.class)
          .inNamespace(namespace)
          .resource(slot(seed, namespace))
          .create();
    }
    client
        .configMaps()
        .inNamespace(namespace)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.CONFIGMAP_ANSWER_TEMPLATE)
                .withNamespace(namespace)
                .endMetadata()
                .withData(Map.of(Names.KEY_TEMPLATE, answerTemplate()))
                .build())
        .create();
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_ROOT_PASSWORD)
                .withNamespace(namespace)
                .endMetadata()
                .withData(Map.of("password", base64(ROOT_PASSWORD)))
                .build())
        .create();
    String hookToken = HexFormat.of().formatHex(randomBytes(16));
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.SECRET_DHCP_HOOK)
                .withNamespace(namespace)
                .endMetadata()
                .withData(Map.of(Names.KEY_TOKEN, base64(hookToken)))
                .build())
        .create();
    return hookToken;
  }

  /** A ProvisioningSlot for one seed entry. */
  public static ProvisioningSlot slot(SeedSlot seed, String namespace) {
    var slot = new ProvisioningSlot();
    slot.setMetadata(
        new ObjectMetaBuilder().withName(seed.name()).withNamespace(namespace).build());
    var spec = new ProvisioningSlotSpec();
    spec.setAddress(seed.address());
    spec.setHostname(seed.hostname());
    slot.setSpec(spec);
    return slot;
  }

  /** The example answer template shipped with the lab. */
  public static String answerTemplate() {
    try (InputStream in = LabSeed.class.getResourceAsStream(TEMPLATE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE_RESOURCE + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Secret values go in {@code data}: the mock store does not fold {@code stringData} in. */
  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
