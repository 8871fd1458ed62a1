package lan.homelab.pxe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The operator's one command line: {@code ./pxe-operator <command>}. */
@Command(
    name = "pxe-operator",
    mixinStandardHelpOptions = true,
    versionProvider = PxeOperatorCommand.Version.class,
    description = "Turns bare metal into Proxmox VE nodes over PXE.",
    subcommands = {RunCommand.class, ValidateAnswerCommand.class, RenderAnswerCommand.class})
public class PxeOperatorCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine(new PxeOperatorCommand()).execute(args));
  }

  /** The command line with the shared settings (used by the lab to add its commands). */
  public static CommandLine commandLine(Object root) {
    return new CommandLine(root).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Version from the jar manifest, or "dev" when run from classes. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = PxeOperatorCommand.class.getPackage().getImplementationVersion();
      return new String[] {"pxe-operator " + (v == null ? "dev" : v)};
    }
  }
}
