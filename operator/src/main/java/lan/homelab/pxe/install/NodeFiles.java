package lan.homelab.pxe.install;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;

/**
 * The per-node ConfigMap {@code pxe-node-<name>} that the boot pod serves: the node's answer file,
 * its iPXE script, its address and MAC. It exists only while the node is Installing.
 */
public class NodeFiles {
  private final KubernetesClient client;

  public NodeFiles(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Writes the ConfigMap unless {@code current} (the operator's cached copy, empty when it has
   * none) already holds {@code data}.
   *
   * @return the ConfigMap written, or empty when nothing was written
   */
  public Optional<ConfigMap> publish(
      NodeInstall install, Map<String, String> data, Optional<ConfigMap> current) {
    if (current.isPresent() && Objects.equals(current.get().getData(), data)) {
      return Optional.empty();
    }
    String ns = install.getMetadata().getNamespace();
    String name = Names.nodeConfigMap(install.getMetadata().getName());
    return Optional.of(
        client
            .configMaps()
            .inNamespace(ns)
            .resource(
                new ConfigMapBuilder()
                    .withMetadata(OwnedObjects.metadata(install, name))
                    .withData(data)
                    .build())
            .createOr(NonDeletingOperation::update));
  }

  /** Removes the ConfigMap (no-op when absent). */
  public void remove(NodeInstall install) {
    client
        .configMaps()
        .inNamespace(install.getMetadata().getNamespace())
        .withName(Names.nodeConfigMap(install.getMetadata().getName()))
        .delete();
  }
}
