package lan.homelab.pxe.answer;

import java.util.Objects;
import lan.homelab.pxe.api.v1alpha1.SlotAnswer;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.Ipv4Network;

/**
 * Everything one node's answer is made of: the user's template and slot overrides, and the values
 * the operator forces (identity, network, webhook, root password hash).
 *
 * @param templateToml the answer template (TOML); null means built-in defaults only
 * @param slot the slot's overrides; nullable
 * @param webhookToken the node's webhook token, written as {@code auth-token} on 9.2+ (older
 *     installers have no such key: there the token must be part of {@code webhookUrl}); nullable
 * @param certFingerprint SHA-256 fingerprint of the webhook's TLS certificate; nullable (HTTP)
 * @param rootPasswordHash crypt(3) hash written as {@code root-password-hashed}
 */
public record AnswerInputs(
    String templateToml,
    SlotAnswer slot,
    String hostname,
    String domain,
    Ipv4 address,
    Ipv4Network network,
    Ipv4 gateway,
    Ipv4 dns,
    Mac mac,
    String webhookUrl,
    String webhookToken,
    String certFingerprint,
    String rootPasswordHash,
    InstallerVersion version) {
  public AnswerInputs {
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(gateway, "gateway");
    Objects.requireNonNull(dns, "dns");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(webhookUrl, "webhookUrl");
    Objects.requireNonNull(rootPasswordHash, "rootPasswordHash");
    Objects.requireNonNull(version, "version");
  }
}
