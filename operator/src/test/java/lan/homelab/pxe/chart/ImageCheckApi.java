package lan.homelab.pxe.chart;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The API server for .ci/image-check.sh: the mock API with the chart (default values) applied,
 * waiting for an operator started elsewhere (from the image) to reconcile a ProvisioningSlot.
 *
 * <p>Arguments: {@code <url-file> <settings-file> <timeout-seconds>}. Writes the API URL to
 * url-file and the chart's settings.yaml to settings-file, then exits 0 once a slot has a status
 * and every request the operator sent is allowed by the chart's Role; 1 otherwise.
 */
public final class ImageCheckApi {
  private ImageCheckApi() {}

  public static void main(String[] args) throws Exception {
    Path urlFile = Path.of(args[0]);
    Path settingsFile = Path.of(args[1]);
    Duration timeout = Duration.ofSeconds(Long.parseLong(args[2]));
    try (MockApi api = MockApi.start("127.0.0.1", 0)) {
      api.createCrds(HelmChart.chartDir().resolve("crds"));
      List<HasMetadata> objects = HelmChart.render(null);
      api.apply(objects);
      Files.createDirectories(settingsFile.toAbsolutePath().getParent());
      Files.writeString(
          settingsFile,
          HelmChart.one(objects, ConfigMap.class, "pxe-operator-settings")
              .getData()
              .get("settings.yaml"));
      api.drainAccesses();
      Path tmp = urlFile.resolveSibling(urlFile.getFileName() + ".tmp");
      Files.writeString(tmp, api.url() + "\n");
      Files.move(tmp, urlFile, StandardCopyOption.ATOMIC_MOVE);
      System.out.println("API: " + api.url());

      String reconciled = waitForReconciledSlot(api, timeout);
      Set<ApiAccess> used = new TreeSet<>(api.drainAccesses());
      used.removeIf(ApiAccess::allowedToEveryUser);
      Set<ApiAccess> denied = new TreeSet<>(used);
      denied.removeAll(
          ApiAccess.granted(HelmChart.one(objects, Role.class, "pxe-operator").getRules()));
      System.out.println("operator used: " + ApiAccess.describe(used));
      if (reconciled == null) {
        System.out.println("FAIL: no ProvisioningSlot got a status within " + timeout);
        System.exit(1);
      }
      System.out.println("reconciled: " + reconciled);
      if (!denied.isEmpty()) {
        System.out.println("FAIL: not allowed by the chart's Role: " + ApiAccess.describe(denied));
        System.exit(1);
      }
      System.out.println("OK");
    }
    System.exit(0);
  }

  private static String waitForReconciledSlot(MockApi api, Duration timeout) {
    try {
      return Awaitility.await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> reconciledSlot(api), Objects::nonNull);
    } catch (ConditionTimeoutException e) {
      return null;
    }
  }

  private static String reconciledSlot(MockApi api) {
    for (ProvisioningSlot slot :
        api.client
            .resources(ProvisioningSlot.class)
            .inNamespace(HelmChart.NAMESPACE)
            .list()
            .getItems()) {
      if (slot.getStatus() != null) {
        return slot.getMetadata().getName() + " " + Serialization.asJson(slot.getStatus());
      }
    }
    return null;
  }
}
