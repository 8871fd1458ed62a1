package lan.homelab.pxe.lab;

import lan.homelab.pxe.cli.PxeOperatorCommand;

/**
 * Entry point of {@code ./pxe-operator}: the operator's commands plus the lab-only ones. The
 * operator image runs {@link PxeOperatorCommand} and carries none of this module.
 */
public final class LabMain {
  private LabMain() {}

  public static void main(String[] args) {
    var commandLine = PxeOperatorCommand.commandLine(new PxeOperatorCommand());
    commandLine.addSubcommand("lab", new LabCommand());
    commandLine.addSubcommand("bench", new lan.homelab.pxe.lab.bench.BenchCommand());
    System.exit(commandLine.execute(args));
  }
}
