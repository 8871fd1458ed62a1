package lan.homelab.pxe.install;

import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;

/** What a discovery report changed. */
public sealed interface DiscoveryOutcome {
  /** A new NodeInstall was created for this MAC; the leader will give it a slot. */
  record Registered(String nodeInstall) implements DiscoveryOutcome {}

  /** The MAC already has a NodeInstall; nothing changed. */
  record AlreadyKnown(String nodeInstall, NodeInstallPhase phase) implements DiscoveryOutcome {}

  /**
   * A new MAC, but {@code bound} installs from the intake hold no slot already: nothing was created
   * (its next lease event asks again).
   */
  record OverBound(int bound) implements DiscoveryOutcome {}

  /** The report does not lead to a claim (not a PXE client, deny-listed); nothing changed. */
  record Ignored(String reason) implements DiscoveryOutcome {}
}
