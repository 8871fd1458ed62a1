package lan.homelab.pxe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import lan.homelab.pxe.OperatorMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

  @Spec CommandSpec spec;

  /** Runs until the JVM is stopped; exits 1, with the reason, when the operator cannot start. */
  @Override
  public Integer call() throws Exception {
    try {
      return OperatorMain.runInCluster(config);
    } catch (java.io.UncheckedIOException | lan.homelab.pxe.config.InvalidSettingsException e) {
      spec.commandLine().getErr().println("pxe-operator run: " + e.getMessage());
      return 1;
    }
  }
}
