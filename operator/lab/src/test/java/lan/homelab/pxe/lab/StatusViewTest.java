package lan.homelab.pxe.lab;

import static lan.homelab.pxe.lab.LabSummaryTest.node;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import org.junit.jupiter.api.Test;

class StatusViewTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T12:00:42Z"), ZoneOffset.UTC);

  @Test
  void shouldLogOneLinePerChangeWhenNotOnATerminal() {
    var text = new StringWriter();
    var view = new StatusView(new PrintWriter(text), false, clock);
    var node = node("52-54-00-00-00-01", NodeInstallPhase.Waiting, null, null);

    view.update(List.of(node));
    view.update(List.of(node));
    node.getStatus().setPhase(NodeInstallPhase.Installing);
    node.getStatus().setAddress("10.11.0.2");
    view.update(List.of(node));

    assertThat(text.toString().lines().toList())
        .containsExactly(
            "12:00:42 52-54-00-00-00-01 Waiting - - -",
            "12:00:42 52-54-00-00-00-01 Installing - 10.11.0.2 -");
  }

  @Test
  void shouldRedrawTheTableInPlaceOnATerminal() {
    var text = new StringWriter();
    var view = new StatusView(new PrintWriter(text), true, clock);
    var node = node("52-54-00-00-00-01", NodeInstallPhase.Installing, "10.11.0.2", "peach-beach");

    view.update(List.of(node));
    String first = text.toString();
    view.update(List.of(node));

    assertThat(first).doesNotContain("\033[");
    assertThat(first.lines().toList().get(1))
        .matches(
            "52-54-00-00-00-01\\s+-\\s+10\\.11\\.0\\.2\\s+peach-beach\\s+Installing\\s+-\\s+42s");
    assertThat(text.toString().substring(first.length()))
        .startsWith("\033[2F\033[J")
        .endsWith(first);
  }
}
