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
 * temp file in the same directory, then rename.
 *
 * <p>Modes, for the boot pod where the writer (sync, root without CAP_DAC_OVERRIDE or CAP_FOWNER)
 * and nginx (uid 101) share only the pod's fsGroup 101: directories are created setgid ({@link
 * #DIR_MODE}), so everything below the fsGroup-owned volume root keeps group 101; secrets are
 * readable by that group only ({@link #SECRET}), other files by everyone ({@link #PUBLIC}); the
 * directory where nginx and dnsmasq put pid and temp files is group-writable ({@link
 * #SHARED_DIR_MODE}). Outside a pod (the lab, tests) the group is the writer's and nothing changes
 * for a root nginx master.
 */
public final class AtomicFiles {
  /** rwxr-sr-x: world-traversable, new entries inherit the directory's group. */
  public static final int DIR_MODE = 02755;

  /** rwxrwsr-x: also writable by the group (nginx's pid and temp files). */
  public static final int SHARED_DIR_MODE = 02775;

  /** rwxr-xr-x, for directories made by a test or the lab outside a boot tree. */
  public static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwxr-xr-x");

  public static final Set<PosixFilePermission> PUBLIC =
      PosixFilePermissions.fromString("rw-r--r--");

  /** rw-r-----: the hook token, its nginx include, the TLS key and certificate. */
  public static final Set<PosixFilePermission> SECRET =
      PosixFilePermissions.fromString("rw-r-----");

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
      directory(dir);
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

  /** Creates the directory (and parents) with {@link #DIR_MODE}. */
  public static void directory(Path dir) throws IOException {
    directory(dir, DIR_MODE);
  }

  /**
   * Creates the directory (and parents) and sets its mode (setgid included; the kernel keeps the
   * bit only where the writer belongs to the directory's group, as in the pod).
   */
  public static void directory(Path dir, int mode) throws IOException {
    Files.createDirectories(dir);
    Files.setAttribute(dir, "unix:mode", mode);
  }
}
