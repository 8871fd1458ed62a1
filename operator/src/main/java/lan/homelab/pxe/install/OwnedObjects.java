package lan.homelab.pxe.install;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;

/**
 * Metadata of the objects that belong to one NodeInstall (its token Secret, its ConfigMap):
 * labelled with it and owned by it, so a real cluster collects them with it too.
 */
final class OwnedObjects {
  private OwnedObjects() {}

  static ObjectMeta metadata(NodeInstall owner, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .addToLabels(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY_VALUE)
        .addToLabels(ApiConstants.LABEL_NODE_INSTALL, owner.getMetadata().getName())
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .build())
        .build();
  }
}
