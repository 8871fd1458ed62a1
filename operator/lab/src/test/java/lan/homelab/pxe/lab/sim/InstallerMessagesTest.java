package lan.homelab.pxe.lab.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lan.homelab.pxe.claim.Mac;
import org.junit.jupiter.api.Test;

class InstallerMessagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Mac mac = Mac.parse("52:54:00:00:00:0a");

  @Test
  void shouldSendTheMachinesMacsUpperCaseInTheAnswerRequestAsInstaller92Does() throws Exception {
    JsonNode body = JSON.readTree(InstallerMessages.answerRequest(mac, 3));

    assertThat(body.path("network_interfaces").findValuesAsText("mac"))
        .containsExactly("52:54:00:00:00:0A", "52:54:00:00:00:0B");
    assertThat(body.path("iso").path("release").asText()).isEqualTo("9.2");
    assertThat(body.path("dmi").path("system").path("uuid").asText())
        .isEqualTo("00000000-0000-0000-0000-000000000003");
  }

  @Test
  void shouldReportTheInstalledSystemInTheWebhookWithTheAnswersToken() throws Exception {
    JsonNode body =
        JSON.readTree(
            InstallerMessages.webhook(mac, 3, "peach-beach.homelab.lan", "10.11.0.2/22", "t0k"));

    assertThat(body.path("$schema").path("version").asText()).isEqualTo("1.2");
    assertThat(body.path("fqdn").asText()).isEqualTo("peach-beach.homelab.lan");
    assertThat(body.path("token").asText()).isEqualTo("t0k");
    JsonNode nic = body.path("network-interfaces").get(0);
    assertThat(nic.path("mac").asText()).isEqualTo("52:54:00:00:00:0a");
    assertThat(nic.path("address").asText()).isEqualTo("10.11.0.2/22");
    assertThat(nic.path("udev-properties").path("ID_NET_NAME_MAC").asText())
        .isEqualTo("enx52540000000a");
    assertThat(body.path("ssh-public-host-keys").path("ed25519").asText())
        .endsWith("root@peach-beach");
  }

  @Test
  void shouldSendNoTokenFieldWhenTheAnswerSetNone() throws Exception {
    JsonNode body =
        JSON.readTree(InstallerMessages.webhook(mac, 3, "n.homelab.lan", "10.11.0.2/22", null));

    assertThat(body.has("token")).isFalse();
  }
}
