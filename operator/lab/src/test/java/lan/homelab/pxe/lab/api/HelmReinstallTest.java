package lan.homelab.pxe.lab.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import lan.homelab.pxe.chart.HelmChart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helm's own install and uninstall (helm-java, Helm v3.21) against the lab API in its secure mode
 * (TLS, the admin token of the kubeconfig it writes): a reinstall keeps the generated root password
 * and DHCP hook token, because built nodes keep the password they were installed with. Helm's
 * release storage writes Secrets as protobuf, which the lab API reads ({@code ProtobufBody}).
 */
class HelmReinstallTest {
  private static final String NS = HelmChart.NAMESPACE;

  @TempDir Path dir;
  private EmbeddedApiServer api;
  private KubernetesClient client;
  private Path kubeconfig;

  @BeforeEach
  void start() throws Exception {
    api = EmbeddedApiServer.secure("127.0.0.1", 0).start();
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl(api.url())
                    .withCaCertData(
                        Base64.getEncoder()
                            .encodeToString(
                                api.caCertificatePem().getBytes(StandardCharsets.UTF_8)))
                    .withOauthToken(api.adminToken())
                    .withNamespace(NS)
                    .build())
            .build();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), NS);
  }

  @AfterEach
  void stop() {
    client.close();
    api.close();
  }

  private Release install() {
    return new Helm(HelmChart.chartDir())
        .install()
        .withName(HelmChart.RELEASE)
        .withNamespace(NS)
        .withKubeConfig(kubeconfig)
        .call();
  }

  private void uninstall() {
    Helm.uninstall(HelmChart.RELEASE).withNamespace(NS).withKubeConfig(kubeconfig).call();
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace(NS).withName(name).get();
  }

  @Test
  void shouldKeepTheGeneratedRootPasswordAndHookTokenAcrossUninstallAndInstall() {
    Release first = install();
    assertThat(first.getStatus()).isEqualTo("deployed");
    String password = secret("pxe-root-password").getData().get("password");
    String token = secret("pxe-dhcp-hook").getData().get("token");

    uninstall();
    Release second = install();

    assertThat(second.getStatus()).isEqualTo("deployed");
    assertThat(secret("pxe-root-password").getData()).containsEntry("password", password);
    assertThat(secret("pxe-dhcp-hook").getData()).containsEntry("token", token);
    assertThat(api.deniedRequests()).isEmpty();
  }
}
