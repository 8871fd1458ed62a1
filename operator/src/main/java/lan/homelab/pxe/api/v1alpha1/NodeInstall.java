package lan.homelab.pxe.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One machine, keyed by the MAC it PXE-booted with and named after it (aa-bb-cc-dd-ee-ff). */
@Group(ApiConstants.GROUP)
@Version(ApiConstants.VERSION)
@ShortNames("ni")
@AdditionalPrinterColumn(name = "MAC", jsonPath = ".spec.mac", type = Type.STRING)
@AdditionalPrinterColumn(name = "Hostname", jsonPath = ".status.hostname", type = Type.STRING)
@AdditionalPrinterColumn(name = "Address", jsonPath = ".status.address", type = Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Last-Step", jsonPath = ".status.lastStep", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class NodeInstall extends CustomResource<NodeInstallSpec, NodeInstallStatus>
    implements Namespaced {}
