package lan.homelab.pxe.lab;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;

/**
 * The lab's live view of the NodeInstalls, like {@code kubectl get nodeinstalls}: on a terminal a
 * table redrawn in place, otherwise one plain log line per change of a machine.
 */
public final class StatusView {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final List<String> HEADER =
      List.of("NAME", "MAC", "ADDRESS", "HOSTNAME", "PHASE", "LAST-STEP", "AGE");

  private final PrintWriter out;
  private final boolean terminal;
  private final Clock clock;
  private final Map<String, String> lastSeen = new HashMap<>();
  private int linesDrawn;

  public StatusView(PrintWriter out, boolean terminal, Clock clock) {
    this.out = out;
    this.terminal = terminal;
    this.clock = clock;
  }

  /** Shows the current NodeInstalls. */
  public synchronized void update(List<NodeInstall> nodes) {
    List<NodeInstall> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparing((NodeInstall n) -> n.getMetadata().getName()));
    if (terminal) {
      redraw(table(sorted, clock.instant()));
    } else {
      logChanges(sorted);
    }
  }

  /** Prints a line of news: above the table on a terminal (which is then redrawn), else plain. */
  public synchronized void note(String line) {
    if (terminal && linesDrawn > 0) {
      out.print("\033[" + linesDrawn + "F\033[J");
      linesDrawn = 0;
    }
    out.println(TIME.format(clock.instant()) + " " + line);
    out.flush();
  }

  /** Forgets the drawn table, so later output starts below it. */
  public synchronized void release() {
    linesDrawn = 0;
  }

  private void redraw(List<String> lines) {
    StringBuilder frame = new StringBuilder();
    if (linesDrawn > 0) {
      frame.append("\033[").append(linesDrawn).append("F\033[J");
    }
    lines.forEach(l -> frame.append(l).append('\n'));
    out.print(frame);
    out.flush();
    linesDrawn = lines.size();
  }

  private void logChanges(List<NodeInstall> nodes) {
    for (NodeInstall node : nodes) {
      NodeInstallStatus s = status(node);
      String state =
          String.join(
              " ",
              text(s.getPhase()),
              text(s.getLastStep()),
              text(s.getAddress()),
              text(s.getHostname()));
      String name = node.getMetadata().getName();
      if (!Objects.equals(lastSeen.put(name, state), state)) {
        out.println(TIME.format(clock.instant()) + " " + name + " " + state);
      }
    }
    out.flush();
  }

  /** The table as lines: header, then one row per NodeInstall, columns padded to fit. */
  static List<String> table(List<NodeInstall> nodes, Instant now) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (NodeInstall node : nodes) {
      NodeInstallStatus s = status(node);
      rows.add(
          List.of(
              node.getMetadata().getName(),
              text(node.getSpec() == null ? null : node.getSpec().getMac()),
              text(s.getAddress()),
              text(s.getHostname()),
              text(s.getPhase()),
              text(s.getLastStep()),
              LabSummary.age(node.getMetadata().getCreationTimestamp(), now)));
    }
    return LabSummary.columns(rows);
  }

  private static NodeInstallStatus status(NodeInstall node) {
    return node.getStatus() == null ? new NodeInstallStatus() : node.getStatus();
  }

  private static String text(Object value) {
    return value == null ? "-" : value.toString();
  }
}
