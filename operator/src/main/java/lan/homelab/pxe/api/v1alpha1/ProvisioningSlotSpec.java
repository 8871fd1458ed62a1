package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** What the user asks of one queue entry. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProvisioningSlotSpec {
  @Required
  @Pattern(Patterns.IPV4)
  @JsonPropertyDescription(
      "IPv4 address the machine in this slot gets, inside the cluster network.")
  private String address;

  @Pattern(Patterns.HOSTNAME)
  @JsonPropertyDescription(
      "RFC 1123 host label (no domain). When empty, a stable name is derived from the address.")
  private String hostname;

  @JsonPropertyDescription("Queue position; lower is handed out first. Default: ascending address.")
  private Integer order;

  @JsonPropertyDescription("When true, the slot is skipped by new claims.")
  private Boolean paused;

  @Pattern(Patterns.MAC_ANY_FORM)
  @JsonPropertyDescription("Reserve this slot for one machine (any common MAC notation).")
  private String mac;

  @JsonPropertyDescription("Answer-file overrides for this slot, merged over the answer template.")
  private SlotAnswer answer;

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public String getHostname() {
    return hostname;
  }

  public void setHostname(String hostname) {
    this.hostname = hostname;
  }

  public Integer getOrder() {
    return order;
  }

  public void setOrder(Integer order) {
    this.order = order;
  }

  public Boolean getPaused() {
    return paused;
  }

  public void setPaused(Boolean paused) {
    this.paused = paused;
  }

  public String getMac() {
    return mac;
  }

  public void setMac(String mac) {
    this.mac = mac;
  }

  public SlotAnswer getAnswer() {
    return answer;
  }

  public void setAnswer(SlotAnswer answer) {
    this.answer = answer;
  }
}
