package lan.homelab.pxe.install;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.answer.AnswerResult;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.render.BootUrls;
import lan.homelab.pxe.render.IpxeScripts;
import lan.homelab.pxe.slot.Slots;

/** Renders the data of an Installing node's ConfigMap from its NodeInstall, slot and token. */
public class NodeFilesRenderer {
  private final OperatorSettings settings;
  private final NodeAnswers answers;

  public NodeFilesRenderer(OperatorSettings settings, NodeAnswers answers) {
    this.settings = settings;
    this.answers = answers;
  }

  /** The ConfigMap data (sorted by key), or what is wrong with the node's answer. */
  public Result render(NodeInstall install, ProvisioningSlot slot, String token) {
    Mac mac = Mac.parse(install.getSpec().getMac());
    AnswerResult answer = answers.render(mac, slot, token);
    if (answer instanceof AnswerResult.Invalid invalid) {
      return new Result.Invalid(invalid.problems().stream().map(Object::toString).toList());
    }
    Map<String, String> data = new TreeMap<>();
    data.put(Names.KEY_ANSWER, ((AnswerResult.Rendered) answer).toml());
    data.put(Names.KEY_ADDRESS, slot.getSpec().getAddress());
    data.put(Names.KEY_MAC, mac.value());
    data.put(
        Names.KEY_NODE_IPXE,
        IpxeScripts.node(
            BootUrls.of(settings),
            mac,
            lan.homelab.pxe.config.Ipv4.parse(slot.getSpec().getAddress()),
            Slots.hostname(slot)));
    return new Result.Rendered(data);
  }

  /** The node's files, or why there are none. */
  public sealed interface Result {
    record Rendered(Map<String, String> data) implements Result {}

    record Invalid(List<String> problems) implements Result {}
  }
}
