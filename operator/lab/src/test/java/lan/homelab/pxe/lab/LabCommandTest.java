package lan.homelab.pxe.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LabCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private Run run(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var commandLine = new CommandLine(new LabCommand());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exit = commandLine.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void shouldPrintTheApiAndStatusLinesExactlyOnceAndExitZeroWhenDone() {
    Path kubeconfig = dir.resolve("kubeconfig");
    Run run = run("--machines", "0", "--exit-when-done", "--kubeconfig", kubeconfig.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out().lines().filter(l -> l.startsWith("API: "))).hasSize(1);
    assertThat(run.out().lines().filter(l -> l.startsWith("Status: "))).hasSize(1);
    assertThat(run.out()).contains("Summary: 0 of 0 machines provisioned");
    assertThat(kubeconfig).doesNotExist();
  }

  @Test
  void shouldRefuseExternalWithoutRealNetwork() {
    Run run = run("--external");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--external needs --real-network");
  }

  @Test
  void shouldDocumentEveryOptionInItsHelp() {
    Run run = run("--help");

    assertThat(run.out())
        .contains("--machines", "--exit-when-done", "--real-network", "--external", "--timeout")
        .contains("API: http://127.0.0.1:PORT", "Status: http://127.0.0.1:PORT/");
  }

  @Test
  void shouldBeTheLabSubcommandOfTheLauncher() {
    var commandLine =
        lan.homelab.pxe.cli.PxeOperatorCommand.commandLine(
            new lan.homelab.pxe.cli.PxeOperatorCommand());
    commandLine.addSubcommand("lab", new LabCommand());
    assertThat(commandLine.getSubcommands()).containsKeys("lab", "run");
  }
}
