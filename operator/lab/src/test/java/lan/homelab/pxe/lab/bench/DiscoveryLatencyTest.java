package lan.homelab.pxe.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.sync.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryLatencyTest {
  @TempDir Path dir;

  @Test
  void shouldTimeEachNewPxeClientUntilRealDnsmasqOffersItsSlotAddress() throws Exception {
    NetworkBenchPrerequisites.require(DiscoveryLatency.missingPrerequisites());
    Files.setPosixFilePermissions(dir, AtomicFiles.DIR);

    List<DiscoveryLatency.Machine> machines;
    String namespace;
    try (DiscoveryLatency d = new DiscoveryLatency(dir.resolve("net"), 2)) {
      namespace = d.labId();
      machines = d.run(2);
      assertThat(d.hookMillis(1)).isPositive();
    }

    assertThat(machines).hasSize(2).allMatch(DiscoveryLatency.Machine::answered);
    assertThat(machines)
        .extracting(DiscoveryLatency.Machine::address)
        .containsExactly("10.11.0.10", "10.11.0.11");
    for (DiscoveryLatency.Machine m : machines) {
      assertThat(m.ack()).isPositive().isLessThan(m.created());
      assertThat(m.created()).isLessThanOrEqualTo(m.installing());
      assertThat(m.hostsFile()).isPositive();
      assertThat(m.answer()).isGreaterThan(m.ack());
    }
    Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String namespaces = new String(list.getInputStream().readAllBytes());
    assertThat(list.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(namespaces).doesNotContain(namespace);
  }
}
