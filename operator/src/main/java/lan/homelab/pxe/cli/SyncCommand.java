package lan.homelab.pxe.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.sync.BootSignals;
import lan.homelab.pxe.sync.BootSync;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sync}: the boot pod's sync process (ConfigMaps and Secrets to files for dnsmasq/nginx).
 */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description =
        "Keep the boot pod's shared directory equal to the boot ConfigMaps and Secrets, and"
            + " signal dnsmasq and nginx when they must re-read it.")
public class SyncCommand implements Callable<Integer> {
  @Option(
      names = "--dir",
      description = "Shared directory (default: ${DEFAULT-VALUE}).",
      defaultValue = BootDir.POD_ROOT)
  Path dir;

  @Option(
      names = "--namespace",
      description = "Namespace of the ConfigMaps (default: $POD_NAMESPACE, else pxe-system).")
  String namespace;

  @Override
  public Integer call() throws Exception {
    String ns = namespace;
    if (ns == null) {
      ns = System.getenv().getOrDefault("POD_NAMESPACE", "pxe-system");
    }
    BootDir boot = new BootDir(dir);
    try (KubernetesClient client = new KubernetesClientBuilder().build();
        BootSync sync = new BootSync(client, ns, boot, new BootSignals(boot)).start()) {
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }
}
