package lan.homelab.pxe.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One entry of the provisioning queue: an address and a hostname a new machine can take. */
@Group(ApiConstants.GROUP)
@Version(ApiConstants.VERSION)
@ShortNames("pslot")
@AdditionalPrinterColumn(name = "Order", jsonPath = ".status.order", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Address", jsonPath = ".spec.address", type = Type.STRING)
@AdditionalPrinterColumn(name = "Hostname", jsonPath = ".status.hostname", type = Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "MAC", jsonPath = ".status.mac", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class ProvisioningSlot extends CustomResource<ProvisioningSlotSpec, ProvisioningSlotStatus>
    implements Namespaced {}
