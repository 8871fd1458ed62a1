package lan.homelab.pxe.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files so that a reader (dnsmasq, nginx) sees the old or the new content, never a part:
 * temp file in the same directory, then rename. Directories are world-traversable and files
 * world-readable unless private, because dnsmasq reads host files after dropping privileges.
 */
public final class AtomicFiles {
  public static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwxr-xr-x");
  public static final Set<PosixFilePermission> PUBLIC =
      PosixFilePermissions.fromString("rw-r--r--");
  public static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> EXECUTABLE =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private AtomicFiles() {}

  /** Writes the text unless the file already holds it; true when the file changed. */
  public static boolean write(Path file, String text, Set<PosixFilePermission> mode)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
      return false;
    }
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, DIR);
    }
    Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      Files.write(temp, bytes);
      Files.setPosixFilePermissions(temp, mode);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return true;
  }

  public static boolean write(Path file, String text) throws IOException {
    return write(file, text, PUBLIC);
  }

  /** Deletes the file; true when it existed. */
  public static boolean delete(Path file) throws IOException {
    return Files.deleteIfExists(file);
  }

  /** Creates the directory (and parents) world-traversable. */
  public static void directory(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, DIR);
  }
}
