package lan.homelab.pxe.lab.sim;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.lab.LabSeed;
import lan.homelab.pxe.lab.LabSeed.SeedSlot;

/**
 * The lab's simulated machines: they arrive one after another and two at once; a machine that finds
 * the queue empty waits until the lab applies one more slot for it (the lab does that as a person
 * would, once it sees the machine Waiting).
 */
public final class MachineFleet implements AutoCloseable {
  /** One machine that walks the whole flow, or throws with the reason of the step that failed. */
  public interface Machine {
    String name();

    void run(Instant deadline) throws Exception;
  }

  private final List<Machine> machines = new ArrayList<>();
  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private final Consumer<String> log;
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger completed = new AtomicInteger();
  private ExecutorService executor;

  public MachineFleet(
      int count,
      SimulatedNetwork network,
      KubernetesClient client,
      String namespace,
      Clock clock,
      Consumer<String> log) {
    this(
        java.util.stream.IntStream.range(0, count)
            .mapToObj(
                i ->
                    (Machine)
                        new SimulatedMachine(
                            i, SimulatedMachine.macOf(i), network, client, namespace, clock, log))
            .toList(),
        client,
        namespace,
        clock,
        log);
  }

  /** A fleet of the given machines, which arrive as {@link #arrival} says. */
  public MachineFleet(
      List<? extends Machine> machines,
      KubernetesClient client,
      String namespace,
      Clock clock,
      Consumer<String> log) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
    this.log = log;
    this.machines.addAll(machines);
  }

  /**
   * When machine {@code index} arrives: 0 s, 1 s, then the third and fourth together at 2 s, then
   * one a second.
   */
  static Duration arrival(int index) {
    return Duration.ofSeconds(index <= 2 ? index : index - 1);
  }

  /** Starts every machine on its own thread; each gives up at {@code deadline}. */
  public MachineFleet start(Instant deadline) {
    executor =
        Executors.newFixedThreadPool(
            machines.size() + 1,
            r -> {
              Thread t = new Thread(r, "lab-machine");
              t.setDaemon(true);
              return t;
            });
    for (int i = 0; i < machines.size(); i++) {
      Machine machine = machines.get(i);
      Duration delay = arrival(i);
      executor.execute(
          () -> {
            try {
              TimeUnit.MILLISECONDS.sleep(delay.toMillis());
              machine.run(deadline);
              completed.incrementAndGet();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } catch (Exception e) {
              String reason = e.getMessage() == null ? e.toString() : e.getMessage();
              failures.add(machine.name() + ": " + reason);
              log.accept(machine.name() + ": FAILED: " + reason);
            }
          });
    }
    if (machines.size() > LabSeed.SLOTS.size()) {
      executor.execute(() -> addSlotsForWaitingMachines(deadline));
    }
    return this;
  }

  /** How many machines walked the whole way, up to the ignored DHCP after their reboot. */
  public int completed() {
    return completed.get();
  }

  /** Why machines failed, one line each. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  /** Applies one slot per machine that waits for one, beyond the seed, until the deadline. */
  private void addSlotsForWaitingMachines(Instant deadline) {
    int added = 0;
    int needed = machines.size() - LabSeed.SLOTS.size();
    try {
      while (added < needed && clock.instant().isBefore(deadline)) {
        long waiting =
            client.resources(NodeInstall.class).inNamespace(namespace).list().getItems().stream()
                .filter(n -> n.getStatus() != null)
                .filter(n -> n.getStatus().getPhase() == NodeInstallPhase.Waiting)
                .count();
        long free =
            client
                .resources(ProvisioningSlot.class)
                .inNamespace(namespace)
                .list()
                .getItems()
                .stream()
                .filter(
                    s -> !s.getMetadata().getLabels().containsKey(ApiConstants.LABEL_CLAIMED_BY))
                .filter(
                    s -> !s.getMetadata().getLabels().containsKey(ApiConstants.LABEL_RESERVED_FOR))
                .count();
        if (waiting > free) {
          int octet = 2 + LabSeed.SLOTS.size() + added;
          SeedSlot seed = new SeedSlot("slot-10-11-0-" + octet, "10.11.0." + octet, null);
          log.accept(
              "lab: a machine finds the queue empty; applying ProvisioningSlot "
                  + seed.name()
                  + " ("
                  + seed.address()
                  + ")");
          client
              .resources(ProvisioningSlot.class)
              .inNamespace(namespace)
              .resource(LabSeed.slot(seed, namespace))
              .create();
          added++;
        }
        TimeUnit.MILLISECONDS.sleep(300);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failures.add("lab: could not apply a slot: " + e.getMessage());
    }
  }

  private static boolean hasLabel(ProvisioningSlot slot, String label) {
    var labels = slot.getMetadata().getLabels();
    return labels != null && labels.containsKey(label);
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
