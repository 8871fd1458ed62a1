package lan.homelab.pxe.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import org.junit.jupiter.api.Test;

class SecretValuesTest {
  @Test
  void shouldReadDataAsTheApiServerStoresIt() {
    Secret stored = new SecretBuilder().addToData("token", SecretValues.encode("sécret\n")).build();

    assertThat(SecretValues.text(stored, "token")).contains("sécret\n");
    assertThat(SecretValues.text(stored, "other")).isEmpty();
  }

  @Test
  void shouldReadStringDataOfASecretAsWritten() {
    Secret written = new SecretBuilder().addToStringData("token", "plain").build();

    assertThat(SecretValues.text(written, "token")).contains("plain");
  }

  @Test
  void shouldPreferDataOverStringData() {
    Secret both =
        new SecretBuilder()
            .addToData("token", SecretValues.encode("from-data"))
            .addToStringData("token", "from-string-data")
            .build();

    assertThat(SecretValues.text(both, "token")).contains("from-data");
  }

  @Test
  void shouldTreatAValueThatIsNotBase64AsAbsent() {
    Secret broken = new SecretBuilder().addToData("token", "%%% not base64").build();

    assertThat(SecretValues.text(broken, "token")).isEmpty();
    assertThat(SecretValues.text(null, "token")).isEmpty();
    assertThat(SecretValues.text(new Secret(), "token")).isEmpty();
  }
}
