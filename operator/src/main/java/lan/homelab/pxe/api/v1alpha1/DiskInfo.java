package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One disk of an installed machine. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DiskInfo {
  @JsonPropertyDescription("Device name, e.g. /dev/sda.")
  private String device;

  private String serial;

  private Long sizeBytes;

  private Boolean bootDisk;

  public String getDevice() {
    return device;
  }

  public void setDevice(String device) {
    this.device = device;
  }

  public String getSerial() {
    return serial;
  }

  public void setSerial(String serial) {
    this.serial = serial;
  }

  public Long getSizeBytes() {
    return sizeBytes;
  }

  public void setSizeBytes(Long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  public Boolean getBootDisk() {
    return bootDisk;
  }

  public void setBootDisk(Boolean bootDisk) {
    this.bootDisk = bootDisk;
  }
}
