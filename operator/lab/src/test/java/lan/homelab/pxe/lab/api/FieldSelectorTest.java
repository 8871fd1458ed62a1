package lan.homelab.pxe.lab.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FieldSelectorTest {
  private final com.fasterxml.jackson.databind.JsonNode event =
      Json.parse(
          "{\"type\":\"Normal\",\"involvedObject\":{\"name\":\"n1\",\"kind\":\"NodeInstall\"}}");

  @Test
  void shouldMatchEqualityAndInequalityOnDottedPaths() {
    assertThat(
            FieldSelector.parse("involvedObject.name=n1,involvedObject.kind==NodeInstall")
                .matches(event))
        .isTrue();
    assertThat(FieldSelector.parse("involvedObject.name=n2").matches(event)).isFalse();
    assertThat(FieldSelector.parse("type!=Warning").matches(event)).isTrue();
    assertThat(FieldSelector.parse("type!=Normal").matches(event)).isFalse();
  }

  @Test
  void shouldReadAMissingFieldAsEmpty() {
    assertThat(FieldSelector.parse("involvedObject.uid=").matches(event)).isTrue();
    assertThat(FieldSelector.parse(null).isEmpty()).isTrue();
  }

  @Test
  void shouldRefuseATermWithoutOperator() {
    assertThatThrownBy(() -> FieldSelector.parse("metadata.name"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
