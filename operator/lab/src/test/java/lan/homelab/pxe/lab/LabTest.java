package lan.homelab.pxe.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tomlj.Toml;

class LabTest {
  @TempDir Path dir;

  @Test
  void shouldPrintApiAndStatusUrlsFirstThenSeedTheQueueForTheOperator() throws Exception {
    StringWriter text = new StringWriter();
    Path kubeconfig = dir.resolve("kubeconfig");
    var options = new Lab.Options(0, true, Duration.ofSeconds(30), 0, kubeconfig, false);
    int apiPort;
    try (Lab lab = new Lab(options, new PrintWriter(text, true), Clock.systemUTC()).start()) {
      var lines = text.toString().lines().toList();
      assertThat(lines.get(0)).matches("API: http://127\\.0\\.0\\.1:\\d+");
      assertThat(lines.get(1)).matches("Status: http://127\\.0\\.0\\.1:\\d+/");
      assertThat(lines.get(2)).isEqualTo("Kubeconfig: " + kubeconfig.toAbsolutePath());
      assertThat(Files.readString(kubeconfig)).contains("server: " + lab.apiUrl());
      apiPort = Integer.parseInt(lab.apiUrl().replaceAll(".*:", ""));

      String ns = lab.operatorSettings().namespace();
      var client = lab.client();
      assertThat(client.namespaces().withName(ns).get()).isNotNull();
      var slots = client.resources(ProvisioningSlot.class).inNamespace(ns).list().getItems();
      assertThat(slots)
          .extracting(s -> s.getSpec().getAddress() + " " + s.getSpec().getHostname())
          .containsExactlyInAnyOrder(
              "10.11.0.2 peach-beach",
              "10.11.0.3 moo-moo-meadows",
              "10.11.0.4 null",
              "10.11.0.5 null",
              "10.11.0.6 null");
      String template =
          client
              .configMaps()
              .inNamespace(ns)
              .withName(Names.CONFIGMAP_ANSWER_TEMPLATE)
              .get()
              .getData()
              .get(Names.KEY_TEMPLATE);
      assertThat(Toml.parse(template).errors()).isEmpty();
      assertThat(client.secrets().inNamespace(ns).withName(Names.SECRET_DHCP_HOOK).get())
          .isNotNull();

      // the operator (the cluster's code) reconciles the seeded slots through the front
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          client
                              .resources(ProvisioningSlot.class)
                              .inNamespace(ns)
                              .list()
                              .getItems())
                      .extracting(s -> s.getStatus() == null ? null : s.getStatus().getPhase())
                      .containsOnly(SlotPhase.Available));
    }
    assertThat(kubeconfig).doesNotExist();
    assertThatThrownBy(
            () -> new Socket().connect(new InetSocketAddress("127.0.0.1", apiPort), 1000))
        .isInstanceOf(IOException.class);
  }
}
