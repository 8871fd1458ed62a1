package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the DHCP server reported about a machine. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DiscoveryFacts {
  @JsonPropertyDescription("pxe (firmware PXE ROM) or ipxe.")
  private String clientType;

  @JsonPropertyDescription("Client architecture from DHCP option 93, e.g. bios or x86-64-efi.")
  private String architecture;

  @JsonPropertyDescription("Address leased from the discovery pool.")
  private String poolAddress;

  @JsonPropertyDescription("Interface the request arrived on.")
  private String networkInterface;

  public String getClientType() {
    return clientType;
  }

  public void setClientType(String clientType) {
    this.clientType = clientType;
  }

  public String getArchitecture() {
    return architecture;
  }

  public void setArchitecture(String architecture) {
    this.architecture = architecture;
  }

  public String getPoolAddress() {
    return poolAddress;
  }

  public void setPoolAddress(String poolAddress) {
    this.poolAddress = poolAddress;
  }

  public String getNetworkInterface() {
    return networkInterface;
  }

  public void setNetworkInterface(String networkInterface) {
    this.networkInterface = networkInterface;
  }
}
