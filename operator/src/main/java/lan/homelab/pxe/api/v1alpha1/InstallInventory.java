package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/** The installed system, as the post-installation webhook reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstallInventory {
  private String fqdn;

  @JsonPropertyDescription("pve-manager version.")
  private String productVersion;

  private String isoRelease;

  private String debianVersion;

  private String kernelRelease;

  @JsonPropertyDescription("efi or bios.")
  private String bootMode;

  private Boolean secureBoot;

  private String cpuModel;

  private Integer cpuCores;

  private Integer cpuSockets;

  private Integer cpus;

  @JsonPropertyDescription("DMI system serial.")
  private String systemSerial;

  @JsonPropertyDescription("DMI system UUID.")
  private String systemUuid;

  private String machineId;

  private String filesystem;

  private List<DiskInfo> disks;

  private List<NicInfo> nics;

  @JsonPropertyDescription("SSH host public keys by type (ecdsa, ed25519, rsa).")
  private Map<String, String> sshHostKeys;

  public String getFqdn() {
    return fqdn;
  }

  public void setFqdn(String fqdn) {
    this.fqdn = fqdn;
  }

  public String getProductVersion() {
    return productVersion;
  }

  public void setProductVersion(String productVersion) {
    this.productVersion = productVersion;
  }

  public String getIsoRelease() {
    return isoRelease;
  }

  public void setIsoRelease(String isoRelease) {
    this.isoRelease = isoRelease;
  }

  public String getDebianVersion() {
    return debianVersion;
  }

  public void setDebianVersion(String debianVersion) {
    this.debianVersion = debianVersion;
  }

  public String getKernelRelease() {
    return kernelRelease;
  }

  public void setKernelRelease(String kernelRelease) {
    this.kernelRelease = kernelRelease;
  }

  public String getBootMode() {
    return bootMode;
  }

  public void setBootMode(String bootMode) {
    this.bootMode = bootMode;
  }

  public Boolean getSecureBoot() {
    return secureBoot;
  }

  public void setSecureBoot(Boolean secureBoot) {
    this.secureBoot = secureBoot;
  }

  public String getCpuModel() {
    return cpuModel;
  }

  public void setCpuModel(String cpuModel) {
    this.cpuModel = cpuModel;
  }

  public Integer getCpuCores() {
    return cpuCores;
  }

  public void setCpuCores(Integer cpuCores) {
    this.cpuCores = cpuCores;
  }

  public Integer getCpuSockets() {
    return cpuSockets;
  }

  public void setCpuSockets(Integer cpuSockets) {
    this.cpuSockets = cpuSockets;
  }

  public Integer getCpus() {
    return cpus;
  }

  public void setCpus(Integer cpus) {
    this.cpus = cpus;
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

  public String getMachineId() {
    return machineId;
  }

  public void setMachineId(String machineId) {
    this.machineId = machineId;
  }

  public String getFilesystem() {
    return filesystem;
  }

  public void setFilesystem(String filesystem) {
    this.filesystem = filesystem;
  }

  public List<DiskInfo> getDisks() {
    return disks;
  }

  public void setDisks(List<DiskInfo> disks) {
    this.disks = disks;
  }

  public List<NicInfo> getNics() {
    return nics;
  }

  public void setNics(List<NicInfo> nics) {
    this.nics = nics;
  }

  public Map<String, String> getSshHostKeys() {
    return sshHostKeys;
  }

  public void setSshHostKeys(Map<String, String> sshHostKeys) {
    this.sshHostKeys = sshHostKeys;
  }
}
