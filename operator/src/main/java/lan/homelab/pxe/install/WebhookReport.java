package lan.homelab.pxe.install;

import java.util.List;
import lan.homelab.pxe.api.v1alpha1.InstallInventory;
import lan.homelab.pxe.claim.Mac;

/**
 * The post-installation webhook's content, parsed.
 *
 * @param macs MACs of every NIC the installer listed
 * @param bodyToken the body's {@code token} field (installer 9.2+), or null
 * @param inventory what to record on the NodeInstall
 */
public record WebhookReport(List<Mac> macs, String bodyToken, InstallInventory inventory) {}
