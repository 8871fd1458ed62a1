package lan.homelab.pxe.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** After `helm install` the user reads what to run next. */
class NotesTest {

  @Test
  void shouldTellHowToWatchAndWhereTheStatusPageIs() throws IOException {
    String notes = installOutput("");

    assertThat(notes)
        .contains("NOTES:")
        .contains("kubectl -n pxe-system get nodeinstalls -w")
        .contains("kubectl -n pxe-system port-forward svc/pxe-operator 8081:http")
        .contains("http://127.0.0.1:8081/")
        .contains("5 slot(s)")
        .contains("/var/lib/pxe-operator/assets on that node")
        .contains("get secret pxe-root-password")
        .contains("NodeInstalls, ProvisioningSlots and the CRDs stay");
  }

  @Test
  void shouldWarnWhenTheNodesWouldAskTheBootNodeForDnsWhichServesNone() throws IOException {
    assertThat(installOutput(""))
        .contains("WARNING: network.dns is 10.11.0.1, the boot node itself")
        .contains("serves no DNS (port=0)");
    assertThat(installOutput("network: {dns: 10.11.0.53}\n")).doesNotContain("WARNING");
  }

  @Test
  void shouldMentionOnlyWhatTheValuesAskFor() throws IOException {
    String notes =
        installOutput(
            "rootPassword: {password: x}\npurge: true\nbootAssets: {existingClaim: assets}\n");

    assertThat(notes)
        .doesNotContain("get secret pxe-root-password")
        .contains("the PVC assets")
        .contains("purge=true: uninstalling deletes every NodeInstall and ProvisioningSlot first");
  }

  private static String installOutput(String values) throws IOException {
    Path file = Files.createTempFile("pxe-values-", ".yaml");
    try {
      Files.writeString(file, values);
      return new Helm(HelmChart.chartDir())
          .install()
          .withName(HelmChart.RELEASE)
          .withNamespace(HelmChart.NAMESPACE)
          .withKubeVersion(HelmChart.KUBE_VERSION)
          .withValuesFile(file)
          .clientOnly()
          .withDryRunOption(DryRun.CLIENT)
          .call()
          .getOutput();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
