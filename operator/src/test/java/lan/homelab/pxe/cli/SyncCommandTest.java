package lan.homelab.pxe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyncCommandTest {
  @Test
  void shouldOfferTheSyncCommandWithItsDirectoryAndNamespaceOptions() {
    CliRun run = CliRun.of("sync", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--dir", "/var/lib/pxe-boot", "--namespace");
  }

  @Test
  void shouldListSyncAmongTheOperatorsCommands() {
    assertThat(CliRun.of("--help").out()).contains("sync");
  }
}
