package lan.homelab.pxe.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Compares a presented token with the expected one. */
public final class Tokens {
  private Tokens() {}

  /**
   * Whether {@code presented} equals {@code expected}, in time that depends on neither their
   * contents nor their lengths (both are hashed first); false for a null.
   */
  public static boolean matches(String expected, String presented) {
    if (expected == null || presented == null) {
      return false;
    }
    return MessageDigest.isEqual(sha256(expected), sha256(presented));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
