package lan.homelab.pxe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of one machine, step by step. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeInstallStatus {
  /** How many leased addresses {@link #getLeasedAddresses()} keeps (the newest). */
  public static final int MAX_LEASED_ADDRESSES = 8;

  @JsonPropertyDescription(
      "Waiting, AwaitingApproval, Installing, Provisioned, Failed or Rejected.")
  private NodeInstallPhase phase;

  @JsonPropertyDescription("The last step this machine completed, for kubectl get.")
  private String lastStep;

  @JsonPropertyDescription("The slot address this machine gets.")
  private String address;

  @JsonPropertyDescription("The slot hostname this machine gets.")
  private String hostname;

  @JsonPropertyDescription("The FQDN written into its answer.")
  private String fqdn;

  @JsonPropertyDescription("Why the install failed or was rejected, in words.")
  private String reason;

  @JsonPropertyDescription(
      "Addresses dnsmasq leased to its MAC (add and old lease events), newest last, at most "
          + NodeInstallStatus.MAX_LEASED_ADDRESSES
          + ". With the slot address, the only addresses its boot notifications count from.")
  private List<String> leasedAddresses;

  @JsonPropertyDescription("When its first PXE DHCP request was reported.")
  private String discoveredAt;

  @JsonPropertyDescription(
      "When DHCP last reported it (add or old) while it held no slot; one without a report for a"
          + " pool lease time is deleted (DiscoveryExpired).")
  private String lastDhcpEventAt;

  @JsonPropertyDescription("When it took its slot (the install timeout counts from here).")
  private String claimedAt;

  @JsonPropertyDescription("When iPXE fetched its per-node boot script.")
  private String bootScriptServedAt;

  @JsonPropertyDescription(
      "Why the per-node boot script refused to boot the installer (e.g. too little memory).")
  private String bootRefusal;

  @JsonPropertyDescription("When the installer fetched its answer file.")
  private String answerServedAt;

  @JsonPropertyDescription("When the post-installation webhook arrived.")
  private String webhookReceivedAt;

  @JsonPropertyDescription("When it became Provisioned.")
  private String completedAt;

  @JsonPropertyDescription("What DHCP told about the machine.")
  private DiscoveryFacts discovery;

  @JsonPropertyDescription("System facts from the answer request of the installer.")
  private AnswerRequestFacts answerRequest;

  @JsonPropertyDescription("Inventory from the post-installation webhook.")
  private InstallInventory inventory;

  private Long observedGeneration;

  private List<Condition> conditions = new ArrayList<>();

  public NodeInstallPhase getPhase() {
    return phase;
  }

  public void setPhase(NodeInstallPhase phase) {
    this.phase = phase;
  }

  public String getLastStep() {
    return lastStep;
  }

  public void setLastStep(String lastStep) {
    this.lastStep = lastStep;
  }

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

  public String getFqdn() {
    return fqdn;
  }

  public void setFqdn(String fqdn) {
    this.fqdn = fqdn;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public List<String> getLeasedAddresses() {
    return leasedAddresses;
  }

  public void setLeasedAddresses(List<String> leasedAddresses) {
    this.leasedAddresses = leasedAddresses;
  }

  public String getDiscoveredAt() {
    return discoveredAt;
  }

  public String getLastDhcpEventAt() {
    return lastDhcpEventAt;
  }

  public void setLastDhcpEventAt(String lastDhcpEventAt) {
    this.lastDhcpEventAt = lastDhcpEventAt;
  }

  public void setDiscoveredAt(String discoveredAt) {
    this.discoveredAt = discoveredAt;
  }

  public String getClaimedAt() {
    return claimedAt;
  }

  public void setClaimedAt(String claimedAt) {
    this.claimedAt = claimedAt;
  }

  public String getBootScriptServedAt() {
    return bootScriptServedAt;
  }

  public void setBootScriptServedAt(String bootScriptServedAt) {
    this.bootScriptServedAt = bootScriptServedAt;
  }

  public String getBootRefusal() {
    return bootRefusal;
  }

  public void setBootRefusal(String bootRefusal) {
    this.bootRefusal = bootRefusal;
  }

  public String getAnswerServedAt() {
    return answerServedAt;
  }

  public void setAnswerServedAt(String answerServedAt) {
    this.answerServedAt = answerServedAt;
  }

  public String getWebhookReceivedAt() {
    return webhookReceivedAt;
  }

  public void setWebhookReceivedAt(String webhookReceivedAt) {
    this.webhookReceivedAt = webhookReceivedAt;
  }

  public String getCompletedAt() {
    return completedAt;
  }

  public void setCompletedAt(String completedAt) {
    this.completedAt = completedAt;
  }

  public DiscoveryFacts getDiscovery() {
    return discovery;
  }

  public void setDiscovery(DiscoveryFacts discovery) {
    this.discovery = discovery;
  }

  public AnswerRequestFacts getAnswerRequest() {
    return answerRequest;
  }

  public void setAnswerRequest(AnswerRequestFacts answerRequest) {
    this.answerRequest = answerRequest;
  }

  public InstallInventory getInventory() {
    return inventory;
  }

  public void setInventory(InstallInventory inventory) {
    this.inventory = inventory;
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
