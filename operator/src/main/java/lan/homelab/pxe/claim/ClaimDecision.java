package lan.homelab.pxe.claim;

/** What the queue says a NodeInstall without a slot should do. */
public sealed interface ClaimDecision {
  /** It already holds this slot (a claim whose second step did not finish): adopt it. */
  record Adopt(String slot) implements ClaimDecision {}

  /** Take this slot now. */
  record Take(String slot) implements ClaimDecision {}

  /** Wait: no slot it may take is free (the reason says why). */
  record Wait(String reason) implements ClaimDecision {}

  /** The queue kept changing under the claim: ask again shortly. */
  record Retry(String reason) implements ClaimDecision {}
}
