package lan.homelab.pxe.lab.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** A kubeconfig with one context, {@code pxe-lab}, for access to the lab's API. */
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
   * The kubeconfig text for an HTTPS server: its CA (PEM) as certificate-authority-data and a
   * bearer token.
   */
  public static String render(String serverUrl, String namespace, String caPem, String token) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %4$s
        users:
        - name: %1$s
          user:
            token: %5$s
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: %3$s
        current-context: %1$s
        """
        .formatted(
            CONTEXT,
            serverUrl,
            namespace,
            Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8)),
            token);
  }

  /**
   * Writes {@link #render} to {@code file} (parent directories included), readable by the owner.
   */
  public static Path write(Path file, String serverUrl, String namespace) throws IOException {
    return write(file, render(serverUrl, namespace));
  }

  /** Writes the HTTPS variant of {@link #render} like {@link #write(Path, String, String)}. */
  public static Path write(
      Path file, String serverUrl, String namespace, String caPem, String token)
      throws IOException {
    return write(file, render(serverUrl, namespace, caPem, token));
  }

  private static Path write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text);
    try {
      Files.setPosixFilePermissions(
          file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the default permissions stay
    }
    return file;
  }
}
