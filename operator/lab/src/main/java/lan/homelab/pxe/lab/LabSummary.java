package lan.homelab.pxe.lab;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallStatus;

/**
 * The lab's closing report: each machine with its address, hostname, phase and how long each step
 * took, from the timestamps in its NodeInstall status.
 */
public final class LabSummary {
  private LabSummary() {}

  /** The report as lines, machines sorted by name. */
  public static List<String> format(List<NodeInstall> nodes, Duration elapsed) {
    List<NodeInstall> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparing((NodeInstall n) -> n.getMetadata().getName()));
    long provisioned =
        sorted.stream()
            .filter(n -> n.getStatus() != null)
            .filter(n -> n.getStatus().getPhase() == NodeInstallPhase.Provisioned)
            .count();
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            "MACHINE",
            "ADDRESS",
            "HOSTNAME",
            "PHASE",
            "CLAIM",
            "BOOT-SCRIPT",
            "ANSWER",
            "WEBHOOK",
            "TOTAL"));
    for (NodeInstall node : sorted) {
      NodeInstallStatus s = node.getStatus() == null ? new NodeInstallStatus() : node.getStatus();
      rows.add(
          List.of(
              node.getMetadata().getName(),
              orDash(s.getAddress()),
              orDash(s.getHostname()),
              s.getPhase() == null ? "-" : s.getPhase().name(),
              step(s.getDiscoveredAt(), s.getClaimedAt()),
              step(s.getClaimedAt(), s.getBootScriptServedAt()),
              step(s.getBootScriptServedAt(), s.getAnswerServedAt()),
              step(s.getAnswerServedAt(), s.getWebhookReceivedAt()),
              step(s.getDiscoveredAt(), s.getCompletedAt())));
    }
    List<String> lines = new ArrayList<>();
    lines.add(
        "Summary: %d of %d machines provisioned in %s"
            .formatted(provisioned, sorted.size(), duration(elapsed)));
    lines.addAll(columns(rows));
    lines.add(
        "Steps: CLAIM = DHCP discovery to slot claimed, BOOT-SCRIPT = to iPXE script served,"
            + " ANSWER = to answer served, WEBHOOK = to webhook received, TOTAL = discovery to"
            + " provisioned.");
    return lines;
  }

  /**
   * Time from one status timestamp to the next in whole seconds (the status keeps seconds), or "-"
   * when either is missing.
   */
  static String step(String from, String to) {
    Instant start = instant(from);
    Instant end = instant(to);
    if (start == null || end == null) {
      return "-";
    }
    long seconds = Math.max(0, Duration.between(start, end).toSeconds());
    return seconds < 60
        ? seconds + "s"
        : String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
  }

  /** 0.4s, 12.3s, 2m05s. */
  static String duration(Duration d) {
    long millis = Math.max(0, d.toMillis());
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    return String.format(Locale.ROOT, "%dm%02ds", millis / 60_000, (millis / 1000) % 60);
  }

  /** Whole seconds or minutes since {@code timestamp}, as a short age. */
  static String age(String timestamp, Instant now) {
    Instant created = instant(timestamp);
    if (created == null) {
      return "-";
    }
    long seconds = Math.max(0, Duration.between(created, now).toSeconds());
    return seconds < 120 ? seconds + "s" : (seconds / 60) + "m";
  }

  /** Pads each column to its widest cell, three spaces apart, like kubectl's tables. */
  static List<String> columns(List<List<String>> rows) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 3));
        }
      }
      lines.add(line.toString());
    }
    return lines;
  }

  private static Instant instant(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String orDash(String s) {
    return s == null || s.isBlank() ? "-" : s;
  }
}
