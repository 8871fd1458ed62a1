package lan.homelab.pxe.lab.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.config.OperatorSettings;

/**
 * The operator alone in a JVM of its own (started by {@link BenchCommand} with the image's JVM
 * flags): connects to the API server at {@code args[0]}, prints {@code PORT <http port>} and runs
 * until its standard input closes.
 */
public final class BenchOperator {
  /**
   * The burst sends hundreds of new PXE MACs at once to measure claiming; the flood bound
   * (maxUnclaimedInstalls, default 32) would refuse most of them, so it is lifted here.
   */
  static final OperatorSettings BURST_SETTINGS =
      OperatorSettings.defaults().with(java.util.Map.of("maxUnclaimedInstalls", 100_000));

  private BenchOperator() {}

  public static void main(String[] args) throws Exception {
    Config config =
        new ConfigBuilder(Config.empty()).withMasterUrl(args[0]).withTrustCerts(true).build();
    try (var client = new KubernetesClientBuilder().withConfig(config).build();
        OperatorMain operator =
            new OperatorMain(client, BURST_SETTINGS, Clock.systemUTC()).withHttpPort(0).start()) {
      System.out.println("PORT " + operator.httpPort());
      System.out.flush();
      while (System.in.read() != -1) {
        // runs until the parent closes our stdin
      }
    }
    System.exit(0);
  }
}
