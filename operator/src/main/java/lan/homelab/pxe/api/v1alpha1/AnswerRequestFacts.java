package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** System facts the Proxmox installer sent when it fetched its answer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnswerRequestFacts {
  @JsonPropertyDescription("Product, e.g. pve.")
  private String product;

  @JsonPropertyDescription("ISO release, e.g. 9.2-1.")
  private String isoRelease;

  @JsonPropertyDescription("DMI system serial.")
  private String systemSerial;

  @JsonPropertyDescription("DMI system UUID.")
  private String systemUuid;

  @JsonPropertyDescription("MACs of the NICs of the machine (lower case).")
  private List<String> macs;

  @JsonPropertyDescription("Whether the MAC of the NodeInstall is among them.")
  private Boolean macMatches;

  public String getProduct() {
    return product;
  }

  public void setProduct(String product) {
    this.product = product;
  }

  public String getIsoRelease() {
    return isoRelease;
  }

  public void setIsoRelease(String isoRelease) {
    this.isoRelease = isoRelease;
  }

  public String getSystemSerial() {
    return systemSerial;
  }

  public void setSystemSerial(String systemSerial) {
    this.systemSerial = systemSerial;
  }

  public String getSystemUuid() {
    return systemUuid;
  }

  public void setSystemUuid(String systemUuid) {
    this.systemUuid = systemUuid;
  }

  public List<String> getMacs() {
    return macs;
  }

  public void setMacs(List<String> macs) {
    this.macs = macs;
  }

  public Boolean getMacMatches() {
    return macMatches;
  }

  public void setMacMatches(Boolean macMatches) {
    this.macMatches = macMatches;
  }
}
