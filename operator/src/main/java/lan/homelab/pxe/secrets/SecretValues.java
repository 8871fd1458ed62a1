package lan.homelab.pxe.secrets;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one value of a Secret as text: {@code data} (base64, as the API server stores it) first,
 * else {@code stringData} (a Secret as written, before the API server folded it into data). A value
 * that is not valid base64 counts as absent, so callers report it as missing.
 */
public final class SecretValues {
  private SecretValues() {}

  public static Optional<String> text(Secret secret, String key) {
    if (secret == null) {
      return Optional.empty();
    }
    String encoded = valueIn(secret.getData(), key);
    if (encoded != null) {
      try {
        return Optional.of(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException notBase64) {
        return Optional.empty();
      }
    }
    return Optional.ofNullable(valueIn(secret.getStringData(), key));
  }

  /** The value as {@code data} holds it: base64 of the text's UTF-8 bytes. */
  public static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String valueIn(Map<String, String> values, String key) {
    return values == null ? null : values.get(key);
  }
}
