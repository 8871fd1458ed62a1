package lan.homelab.pxe.answer;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.codec.digest.Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;

/**
 * Root password helpers: the installer's rules for a plain password, SHA-512 crypt hashing and
 * verification. No method puts the password into a message or exception.
 */
public final class RootPasswords {
  private static final String SALT_CHARS =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private RootPasswords() {}

  /** What the installer of line {@code v} would reject in this plain password; empty if fine. */
  public static List<AnswerProblem> check(String password, InstallerVersion v) {
    List<AnswerProblem> problems = new ArrayList<>();
    if (password == null || password.isEmpty()) {
      problems.add(
          new AnswerProblem(
              "global.root-password",
              AnswerRules.ROOT_PASSWORD_LENGTH,
              "the root password is empty"));
      return problems;
    }
    String tooShort = AnswerValidator.plainPasswordProblem(password, v);
    if (tooShort != null) {
      problems.add(
          new AnswerProblem("global.root-password", AnswerRules.ROOT_PASSWORD_LENGTH, tooShort));
    }
    return problems;
  }

  /** SHA-512 crypt ({@code $6$salt$hash}) with a fresh random 16-character salt. */
  public static String hash(String password) {
    StringBuilder salt = new StringBuilder("$6$");
    for (int i = 0; i < 16; i++) {
      salt.append(SALT_CHARS.charAt(RANDOM.nextInt(SALT_CHARS.length())));
    }
    return hash(password, salt.toString());
  }

  /** SHA-512 crypt with the given salt, {@code $6$…} (for tests and re-checks). */
  public static String hash(String password, String salt) {
    return Sha2Crypt.sha512Crypt(password.getBytes(StandardCharsets.UTF_8), salt);
  }

  /**
   * Whether the password produces the stored crypt(3) hash (any scheme commons-codec knows:
   * SHA-512, SHA-256, MD5, DES); false for schemes it does not know, such as yescrypt.
   */
  public static boolean matches(String password, String storedHash) {
    if (password == null || storedHash == null || storedHash.isBlank()) {
      return false;
    }
    try {
      return Crypt.crypt(password.getBytes(StandardCharsets.UTF_8), storedHash).equals(storedHash);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
