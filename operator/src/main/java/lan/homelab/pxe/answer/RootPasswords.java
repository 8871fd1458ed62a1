package lan.homelab.pxe.answer;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  /**
   * The {@code rounds=} of every SHA-512 crypt hash the operator makes, so that one guess costs an
   * attacker who holds the hash at least 100 ms of glibc's crypt(3). Measured 2026-12-04 on the
   * build machine (2 cores, shared, load average about 4), best of 7: glibc 1.5 ms at 5,000 rounds
   * (the default), 112 ms at 350,000, 124 ms at 400,000 (median 139 ms); commons-codec's Sha2Crypt,
   * which the operator hashes and verifies with, 189 ms at 400,000. The operator pays this once per
   * password change: a verified hash is remembered ({@link RootPasswordStore}).
   */
  public static final int TARGET_ROUNDS = 400_000;

  /** What crypt(3) uses when a $5$ or $6$ hash names no rounds. */
  static final int DEFAULT_SHA_CRYPT_ROUNDS = 5_000;

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

  /**
   * SHA-512 crypt ({@code $6$rounds=}{@value #TARGET_ROUNDS}{@code $salt$hash}) with a fresh random
   * 16-character salt.
   */
  public static String hash(String password) {
    StringBuilder salt = new StringBuilder("$6$rounds=" + TARGET_ROUNDS + "$");
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
   * The rounds of a SHA-256 or SHA-512 crypt hash ({@value #DEFAULT_SHA_CRYPT_ROUNDS} when it names
   * none); empty for any other scheme.
   */
  public static java.util.OptionalInt rounds(String hash) {
    if (hash == null || !(hash.startsWith("$5$") || hash.startsWith("$6$"))) {
      return java.util.OptionalInt.empty();
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("^\\$[56]\\$rounds=([0-9]{1,9})\\$").matcher(hash);
    return java.util.OptionalInt.of(
        m.find() ? Integer.parseInt(m.group(1)) : DEFAULT_SHA_CRYPT_ROUNDS);
  }

  /**
   * Why a crypt(3) hash is cheap to guess, or empty: MD5 crypt, SHA-256 crypt, DES crypt, or
   * SHA-512 crypt below {@value #TARGET_ROUNDS} rounds. Schemes made to be slow (yescrypt, bcrypt)
   * are not judged.
   */
  public static Optional<String> weakness(String hash) {
    if (hash == null || hash.isBlank()) {
      return Optional.empty();
    }
    if (hash.startsWith("$1$")) {
      return Optional.of("it is MD5 crypt ($1$), cheap to guess");
    }
    if (hash.startsWith("$5$")) {
      return Optional.of(
          "it is SHA-256 crypt ($5$); use SHA-512 crypt with rounds=" + TARGET_ROUNDS + " or more");
    }
    if (!hash.startsWith("$")) {
      return Optional.of("it is DES crypt, cheap to guess");
    }
    int rounds = rounds(hash).orElse(Integer.MAX_VALUE);
    if (rounds < TARGET_ROUNDS) {
      return Optional.of(
          "it is SHA-512 crypt with "
              + rounds
              + " rounds; at least "
              + TARGET_ROUNDS
              + " make one guess cost 100 ms (mkpasswd -m sha-512 -R "
              + TARGET_ROUNDS
              + ")");
    }
    return Optional.empty();
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
