package lan.homelab.pxe.install;

import java.util.Map;
import java.util.TreeMap;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.render.IpxeScripts;
import lan.homelab.pxe.slot.Slots;

/** Renders the data of an Installing node's ConfigMap from its NodeInstall, slot and token. */
public class NodeFilesRenderer {
  private final OperatorSettings settings;

  public NodeFilesRenderer(OperatorSettings settings) {
    this.settings = settings;
  }

  /** The ConfigMap data, sorted by key. */
  public Map<String, String> render(NodeInstall install, ProvisioningSlot slot, String token) {
    Map<String, String> data = new TreeMap<>();
    data.put(Names.KEY_ADDRESS, slot.getSpec().getAddress());
    data.put(Names.KEY_MAC, install.getSpec().getMac());
    data.put(
        Names.KEY_NODE_IPXE,
        IpxeScripts.node(settings.bootHttpUrl() + "/assets", Slots.hostname(slot)));
    return data;
  }
}
