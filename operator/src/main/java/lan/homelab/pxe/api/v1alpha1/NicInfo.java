package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One NIC of an installed machine. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NicInfo {
  private String name;

  private String mac;

  @JsonPropertyDescription("CIDR, only on the management NIC.")
  private String address;

  private Boolean management;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getMac() {
    return mac;
  }

  public void setMac(String mac) {
    this.mac = mac;
  }

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public Boolean getManagement() {
    return management;
  }

  public void setManagement(Boolean management) {
    this.management = management;
  }
}
