package lan.homelab.pxe.install;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.secrets.SecretValues;

/**
 * Per-install webhook tokens: 256 random bits, minted when a machine takes its slot (and again on a
 * retry), kept in a Secret owned by its NodeInstall that only the operator reads.
 */
public class InstallTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * How long a revoked token's Secret is not believed when a cache shows it: far longer than an
   * informer takes to deliver the delete.
   */
  static final Duration REVOKED_MEMORY = Duration.ofMinutes(10);

  /** At most this many revoked UIDs are remembered (the oldest go first). */
  static final int REVOKED_LIMIT = 4096;

  private final KubernetesClient client;

  /** UIDs of token Secrets deleted by {@link #revoke}, which a lagging cache may still show. */
  private final Cache<String, Boolean> revoked;

  public InstallTokens(KubernetesClient client) {
    this(client, Ticker.systemTicker());
  }

  InstallTokens(KubernetesClient client, Ticker ticker) {
    this.client = client;
    this.revoked =
        Caffeine.newBuilder()
            .expireAfterWrite(REVOKED_MEMORY)
            .maximumSize(REVOKED_LIMIT)
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  /** A token and, when it was minted just now, the Secret that holds it. */
  public record Token(String value, Optional<Secret> minted) {}

  /**
   * The install's token, minting it first when it has none. {@code cached} is the operator's cached
   * copy of the token Secret (empty when it has none); a token is minted with a create that fails
   * when the Secret exists, so a cache that lags never mints a second one.
   */
  public Token ensure(NodeInstall install, Optional<Secret> cached) {
    Optional<String> known =
        cached
            .filter(s -> revoked.getIfPresent(s.getMetadata().getUid()) == null)
            .flatMap(InstallTokens::tokenIn);
    if (known.isPresent()) {
      return new Token(known.get(), Optional.empty());
    }
    return mint(install, 3);
  }

  /** Creates the token Secret; when it exists already (the cache lagged), reads the token in it. */
  private Token mint(NodeInstall install, int attempts) {
    String ns = install.getMetadata().getNamespace();
    String name = Names.tokenSecret(install.getMetadata().getName());
    byte[] bits = new byte[32];
    RANDOM.nextBytes(bits);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    Secret secret =
        new SecretBuilder()
            .withMetadata(OwnedObjects.metadata(install, name))
            .withType("Opaque")
            .addToData(Names.KEY_TOKEN, SecretValues.encode(token))
            .build();
    try {
      return new Token(
          token, Optional.of(client.secrets().inNamespace(ns).resource(secret).create()));
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      Optional<String> existing =
          Optional.ofNullable(client.secrets().inNamespace(ns).withName(name).get())
              .flatMap(InstallTokens::tokenIn);
      if (existing.isPresent()) {
        return new Token(existing.get(), Optional.empty());
      }
      if (attempts <= 1) {
        throw new IllegalStateException("Secret " + name + " exists but holds no token");
      }
      return mint(install, attempts - 1);
    }
  }

  /**
   * Forgets the token, so a retry mints a new one and the old one stops working. {@code cached} is
   * the cached copy of the Secret: a cache that still shows it after the delete is not believed.
   */
  public void revoke(NodeInstall install, Optional<Secret> cached) {
    cached.ifPresent(s -> revoked.put(s.getMetadata().getUid(), true));
    client
        .secrets()
        .inNamespace(install.getMetadata().getNamespace())
        .withName(Names.tokenSecret(install.getMetadata().getName()))
        .delete()
        .forEach(deleted -> revoked.put(deleted.getUid(), true));
  }

  /** How many revoked UIDs are remembered now. */
  long revokedRemembered() {
    revoked.cleanUp();
    return revoked.estimatedSize();
  }

  private static Optional<String> tokenIn(Secret secret) {
    return SecretValues.text(secret, Names.KEY_TOKEN);
  }
}
