package lan.homelab.pxe.lab;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.lab.sim.MachineFleet;

/**
 * The lab after start: waits until every expected machine is Provisioned, prints the summary, then
 * either exits (--exit-when-done) or keeps serving until stopped. Every wait is bounded.
 */
final class LabRun {
  private static final Duration POLL = Duration.ofMillis(250);

  private final Lab lab;
  private final Lab.Options options;
  private final PrintWriter out;
  private final Clock clock;
  private final CountDownLatch stopped = new CountDownLatch(1);

  LabRun(Lab lab, Lab.Options options, PrintWriter out, Clock clock) {
    this.lab = lab;
    this.options = options;
    this.out = out;
    this.clock = clock;
  }

  /**
   * Exit code: 0 when every machine was provisioned, 1 when the timeout passed first, 130 when
   * stopped (Ctrl-C) before.
   */
  int run() throws InterruptedException {
    if (options.external()) {
      return watchExternalMachines();
    }
    Instant deadline = clock.instant().plus(options.timeout());
    MachineFleet fleet = lab.startMachines(deadline);
    boolean done = awaitMachines(fleet, deadline);
    if (stopped.getCount() == 0) {
      return 130;
    }
    lab.printSummary();
    if (!done) {
      out.println(
          fleet.failures().isEmpty()
              ? "lab: not every machine was provisioned within " + options.timeout() + ":"
              : "lab: a machine failed:");
      fleet.failures().forEach(f -> out.println("  " + f));
      for (NodeInstall node : lab.nodeInstalls()) {
        if (phase(node) != NodeInstallPhase.Provisioned) {
          out.println(
              "  "
                  + node.getMetadata().getName()
                  + " is "
                  + phase(node)
                  + (node.getStatus() == null || node.getStatus().getReason() == null
                      ? ""
                      : ": " + node.getStatus().getReason()));
        }
      }
      out.flush();
      return 1;
    }
    if (!options.exitWhenDone()) {
      out.println("Every machine is provisioned; the lab keeps running until Ctrl-C.");
      out.flush();
      stopped.await();
    }
    return 0;
  }

  /**
   * With --external: boots nothing, serves the machines others attach until Ctrl-C (130) or the
   * timeout (summary, 0).
   */
  private int watchExternalMachines() throws InterruptedException {
    lab.note(
        "lab: waiting for machines attached to the bridge, until Ctrl-C or " + options.timeout());
    if (stopped.await(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
      return 130;
    }
    lab.printSummary();
    return 0;
  }

  /** Ends a run that keeps serving after its summary. */
  void stop() {
    stopped.countDown();
  }

  /** True once every machine walked the whole way; false on a failure or at the deadline. */
  private boolean awaitMachines(MachineFleet fleet, Instant deadline) throws InterruptedException {
    while (clock.instant().isBefore(deadline) && fleet.failures().isEmpty()) {
      if (fleet.completed() >= options.machines()
          && provisioned(lab.nodeInstalls()) >= options.machines()) {
        return true;
      }
      if (stopped.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
        return false;
      }
    }
    return false;
  }

  private static long provisioned(List<NodeInstall> nodes) {
    return nodes.stream().filter(n -> phase(n) == NodeInstallPhase.Provisioned).count();
  }

  private static NodeInstallPhase phase(NodeInstall node) {
    return node.getStatus() == null ? null : node.getStatus().getPhase();
  }
}
