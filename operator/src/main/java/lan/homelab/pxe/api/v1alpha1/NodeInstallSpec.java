package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One machine: its MAC and, once claimed, the slot it holds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeInstallSpec {
  @Required
  @Pattern(Patterns.MAC_ANY_FORM)
  @JsonPropertyDescription(
      "MAC of the NIC that PXE-booted. Any common notation; the operator stores aa:bb:cc:dd:ee:ff.")
  private String mac;

  @JsonPropertyDescription("Name of the ProvisioningSlot this machine holds; set by the operator.")
  private String slot;

  public String getMac() {
    return mac;
  }

  public void setMac(String mac) {
    this.mac = mac;
  }

  public String getSlot() {
    return slot;
  }

  public void setSlot(String slot) {
    this.slot = slot;
  }
}
