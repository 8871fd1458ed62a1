package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of one queue entry. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProvisioningSlotStatus {
  @JsonPropertyDescription("Available, Claimed, Provisioned or Invalid.")
  private SlotPhase phase;

  @JsonPropertyDescription(
      "Effective hostname: spec.hostname or the name derived from the address.")
  private String hostname;

  @JsonPropertyDescription("Effective queue position (spec.order, else derived from the address).")
  private Long order;

  @JsonPropertyDescription("MAC of the machine holding this slot.")
  private String mac;

  @JsonPropertyDescription("Name of the NodeInstall holding this slot.")
  private String nodeInstall;

  private Long observedGeneration;

  private List<Condition> conditions = new ArrayList<>();

  public SlotPhase getPhase() {
    return phase;
  }

  public void setPhase(SlotPhase phase) {
    this.phase = phase;
  }

  public String getHostname() {
    return hostname;
  }

  public void setHostname(String hostname) {
    this.hostname = hostname;
  }

  public Long getOrder() {
    return order;
  }

  public void setOrder(Long order) {
    this.order = order;
  }

  public String getMac() {
    return mac;
  }

  public void setMac(String mac) {
    this.mac = mac;
  }

  public String getNodeInstall() {
    return nodeInstall;
  }

  public void setNodeInstall(String nodeInstall) {
    this.nodeInstall = nodeInstall;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
