package lan.homelab.pxe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import lan.homelab.pxe.OperatorMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code run}: the operator in a cluster (in-cluster config or KUBECONFIG). */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the operator against the current Kubernetes cluster.")
public class RunCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      description = "Settings file (YAML); default: built-in seed network.",
      paramLabel = "FILE")
  Path config;

  @Override
  public Integer call() throws Exception {
    return OperatorMain.runInCluster(config);
  }
}
