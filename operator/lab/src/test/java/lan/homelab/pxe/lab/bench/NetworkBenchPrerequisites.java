package lan.homelab.pxe.lab.bench;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** With CI=true a missing prerequisite fails the test; elsewhere the test skips saying why. */
final class NetworkBenchPrerequisites {
  private NetworkBenchPrerequisites() {}

  static void require(List<String> missing) {
    if (missing.isEmpty()) {
      return;
    }
    String message =
        "network bench test needs "
            + String.join(", ", missing)
            + ": run as root after .ci/run's apt-get install line (dnsmasq nginx curl"
            + " python3-scapy iproute2 ...)";
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }
}
