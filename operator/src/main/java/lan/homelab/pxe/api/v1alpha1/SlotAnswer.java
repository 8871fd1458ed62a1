package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Per-slot answer-file overrides. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SlotAnswer {
  @JsonPropertyDescription(
      "TOML fragment merged over the answer template: tables merge key by key, values replace,"
          + " [disk-setup] replaces the template's as a whole.")
  private String overrides;

  @JsonPropertyDescription("SSH public keys appended to the template's global.root-ssh-keys.")
  private List<String> extraRootSshKeys;

  public String getOverrides() {
    return overrides;
  }

  public void setOverrides(String overrides) {
    this.overrides = overrides;
  }

  public List<String> getExtraRootSshKeys() {
    return extraRootSshKeys;
  }

  public void setExtraRootSshKeys(List<String> extraRootSshKeys) {
    this.extraRootSshKeys = extraRootSshKeys;
  }
}
