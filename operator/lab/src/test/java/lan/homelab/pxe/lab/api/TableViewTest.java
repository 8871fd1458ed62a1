package lan.homelab.pxe.lab.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableViewTest {
  @Test
  void shouldPrintAgesTheWayKubectlDoes() {
    assertThat(TableView.humanDuration(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(TableView.humanDuration(Duration.ofSeconds(200))).isEqualTo("3m20s");
    assertThat(TableView.humanDuration(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(TableView.humanDuration(Duration.ofMinutes(310))).isEqualTo("5h10m");
    assertThat(TableView.humanDuration(Duration.ofHours(51))).isEqualTo("2d3h");
    assertThat(TableView.humanDuration(Duration.ofDays(400))).isEqualTo("400d");
    assertThat(TableView.humanDuration(Duration.ofDays(365 * 3 + 10))).isEqualTo("3y10d");
    assertThat(TableView.humanDuration(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
  }

  @Test
  void shouldAddNameAndAgeColumnsToABuiltInType() {
    var path = ResourcePath.parse("/api/v1/namespaces/x/configmaps").orElseThrow();
    var clock = Clock.fixed(Instant.parse("2026-11-26T12:01:00Z"), ZoneOffset.UTC);
    var table =
        new TableView(clock)
            .table(
                Json.parse(
                    "{\"items\":[{\"metadata\":{\"name\":\"c\","
                        + "\"creationTimestamp\":\"2026-11-26T12:00:00Z\"}}]}"),
                TableView.columns(path, List.of()),
                "None");

    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Age");
    assertThat(Json.write(table.path("rows").get(0))).isEqualTo("{\"cells\":[\"c\",\"60s\"]}");
  }
}
