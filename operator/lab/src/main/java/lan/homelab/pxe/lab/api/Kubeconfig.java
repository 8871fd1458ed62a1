package lan.homelab.pxe.lab.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig with one context, {@code pxe-lab}, for plain-HTTP access to the lab's API. */
public final class Kubeconfig {
  public static final String CONTEXT = "pxe-lab";

  private Kubeconfig() {}

  /** The kubeconfig text: server URL, no credentials, {@code namespace} as the default. */
  public static String render(String serverUrl, String namespace) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
        users:
        - name: %1$s
          user: {}
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: %3$s
        current-context: %1$s
        """
        .formatted(CONTEXT, serverUrl, namespace);
  }

  /**
   * Writes {@link #render} to {@code file} (parent directories included), readable by the owner.
   */
  public static Path write(Path file, String serverUrl, String namespace) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(serverUrl, namespace));
    try {
      Files.setPosixFilePermissions(
          file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the default permissions stay
    }
    return file;
  }
}
