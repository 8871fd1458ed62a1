package lan.homelab.pxe;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlotSpec;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.install.ClientType;
import lan.homelab.pxe.install.DiscoveryReport;

/** Small builders for test objects. */
public final class Fixtures {
  public static final String NS = "pxe-system";

  private Fixtures() {}

  public static ProvisioningSlot slot(String name, String address, String hostname) {
    ProvisioningSlot slot = new ProvisioningSlot();
    slot.getMetadata().setName(name);
    slot.getMetadata().setNamespace(NS);
    ProvisioningSlotSpec spec = new ProvisioningSlotSpec();
    spec.setAddress(address);
    spec.setHostname(hostname);
    slot.setSpec(spec);
    return slot;
  }

  public static ProvisioningSlot create(KubernetesClient client, ProvisioningSlot slot) {
    return client.resources(ProvisioningSlot.class).inNamespace(NS).resource(slot).create();
  }

  /** The seed's queue: 10.11.0.2 peach-beach, 10.11.0.3 moo-moo-meadows, then .4 .5 .6. */
  public static void seedSlots(KubernetesClient client) {
    create(client, slot("peach-beach", "10.11.0.2", "peach-beach"));
    create(client, slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows"));
    create(client, slot("slot-4", "10.11.0.4", null));
    create(client, slot("slot-5", "10.11.0.5", null));
    create(client, slot("slot-6", "10.11.0.6", null));
  }

  public static DiscoveryReport pxe(String mac) {
    return new DiscoveryReport(
        Mac.parse(mac), Ipv4.parse("10.11.3.200"), ClientType.PXE, "bios", "vmbr0");
  }

  public static DiscoveryReport plainDhcp(String mac) {
    return new DiscoveryReport(Mac.parse(mac), null, ClientType.OTHER, null, "vmbr0");
  }

  public static NodeInstall install(KubernetesClient client, String mac) {
    return client
        .resources(NodeInstall.class)
        .inNamespace(NS)
        .withName(Mac.parse(mac).objectName())
        .get();
  }

  /** What {@code kubectl annotate nodeinstall NAME KEY=VALUE} sends: a merge patch. */
  public static void annotate(KubernetesClient client, String name, String key, String value) {
    client
        .resources(NodeInstall.class)
        .inNamespace(NS)
        .withName(name)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  public static ProvisioningSlot slot(KubernetesClient client, String name) {
    return client.resources(ProvisioningSlot.class).inNamespace(NS).withName(name).get();
  }

  public static Map<String, String> labels(ProvisioningSlot slot) {
    return slot.getMetadata().getLabels() == null ? Map.of() : slot.getMetadata().getLabels();
  }

  /** The reasons of the Events about the named object, oldest first. */
  public static java.util.List<String> eventReasons(KubernetesClient client, String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(io.fabric8.kubernetes.api.model.Event::getReason)
        .toList();
  }
}
