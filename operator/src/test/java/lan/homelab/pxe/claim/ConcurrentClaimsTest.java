package lan.homelab.pxe.claim;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.install.DiscoveryOutcome;
import lan.homelab.pxe.install.InstallReports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The claim invariants under concurrency, a second replica and restarts, on the mock API. */
class ConcurrentClaimsTest {
  private static final int SLOTS = 50;
  private static final int MACHINES = 200;

  private MockApi api;
  private KubernetesClient client;
  private final List<OperatorMain> replicas = new ArrayList<>();

  @BeforeEach
  void setUp() {
    api = new MockApi(NS);
    client = api.client();
    for (int i = 0; i < SLOTS; i++) {
      Fixtures.create(client, Fixtures.slot("slot-" + i, "10.11.0." + (10 + i), null));
    }
  }

  @AfterEach
  void tearDown() {
    replicas.forEach(OperatorMain::close);
    api.close();
  }

  /**
   * The claim protocol under 200 concurrent discoveries: the flood bound (maxUnclaimedInstalls,
   * UnclaimedInstallsLifecycleTest) is lifted so that every MAC registers.
   */
  private static final OperatorSettings SETTINGS =
      OperatorSettings.defaults().with(Map.of("maxUnclaimedInstalls", 1_000));

  private OperatorMain replica(String identity, KubernetesClient replicaClient) {
    OperatorMain main =
        new OperatorMain(replicaClient, SETTINGS, Clock.systemUTC())
            .withLeaderElection(identity, Duration.ofSeconds(3))
            .withHttpPort(0)
            .start();
    replicas.add(main);
    return main;
  }

  private static String mac(int i) {
    return String.format("52:54:00:00:%02x:%02x", i / 256, i % 256);
  }

  /** 200 machines, each reporting 1-3 times, all at once, through the given replicas' intakes. */
  private void reportAllAtOnce(List<InstallReports> intakes, long seed) throws Exception {
    List<Integer> reports = new ArrayList<>();
    Random random = new Random(seed);
    for (int i = 0; i < MACHINES; i++) {
      for (int r = 0, n = 1 + random.nextInt(3); r < n; r++) {
        reports.add(i);
      }
    }
    Collections.shuffle(reports, random);
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<DiscoveryOutcome>> results = new ArrayList<>();
      for (int k = 0; k < reports.size(); k++) {
        int machine = reports.get(k);
        InstallReports intake = intakes.get(k % intakes.size());
        results.add(pool.submit(() -> intake.discovered(Fixtures.pxe(mac(machine)))));
      }
      long registered = 0;
      for (Future<DiscoveryOutcome> f : results) {
        if (f.get(60, TimeUnit.SECONDS) instanceof DiscoveryOutcome.Registered) {
          registered++;
        }
      }
      assertThat(registered).as("each MAC registers exactly once").isEqualTo(MACHINES);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Exactly 50 claims, no slot held twice, no MAC holding two, the rest waiting. */
  private void assertQueueInvariants() {
    await()
        .atMost(Duration.ofSeconds(90))
        .alias("all machines registered; phases so far: see the log")
        .conditionEvaluationListener(c -> System.out.println("phases " + phaseCounts()))
        .until(
            () ->
                installs().stream()
                        .filter(ni -> ni.getStatus() != null)
                        .filter(
                            ni ->
                                ni.getStatus().getPhase() == NodeInstallPhase.Installing
                                    || ni.getStatus().getPhase() == NodeInstallPhase.Waiting)
                        .count()
                    == MACHINES);
    await().atMost(Duration.ofSeconds(30)).until(() -> count(NodeInstallPhase.Installing) == SLOTS);
    List<NodeInstall> installs = installs();
    Map<String, String> slotOfInstall = new HashMap<>();
    Set<String> heldSlots = new HashSet<>();
    for (NodeInstall ni : installs) {
      if (ni.getSpec().getSlot() != null) {
        assertThat(heldSlots.add(ni.getSpec().getSlot()))
            .as("slot %s held twice", ni.getSpec().getSlot())
            .isTrue();
        slotOfInstall.put(ni.getMetadata().getName(), ni.getSpec().getSlot());
      }
    }
    assertThat(heldSlots).hasSize(SLOTS);
    Map<String, Integer> labelsPerInstall = new HashMap<>();
    for (ProvisioningSlot slot :
        client.resources(ProvisioningSlot.class).inNamespace(NS).list().getItems()) {
      String holder = Fixtures.labels(slot).get(ApiConstants.LABEL_CLAIMED_BY);
      assertThat(holder).as("slot %s is claimed", slot.getMetadata().getName()).isNotNull();
      assertThat(slotOfInstall.get(holder)).isEqualTo(slot.getMetadata().getName());
      labelsPerInstall.merge(holder, 1, Integer::sum);
    }
    assertThat(labelsPerInstall.values()).allMatch(n -> n == 1);
    assertThat(count(NodeInstallPhase.Waiting)).isEqualTo(MACHINES - SLOTS);
  }

  private Map<String, Long> phaseCounts() {
    return installs().stream()
        .collect(
            java.util.stream.Collectors.groupingBy(
                ni -> String.valueOf(ni.getStatus() == null ? null : ni.getStatus().getPhase()),
                java.util.stream.Collectors.counting()));
  }

  private List<NodeInstall> installs() {
    return client.resources(NodeInstall.class).inNamespace(NS).list().getItems();
  }

  private long count(NodeInstallPhase phase) {
    return installs().stream()
        .filter(ni -> ni.getStatus() != null && ni.getStatus().getPhase() == phase)
        .count();
  }

  @Test
  void shouldMakeExactlyFiftyClaimsFromTwoHundredConcurrentDiscoveriesWithRepeats()
      throws Exception {
    OperatorMain operator = replica("only", client);

    reportAllAtOnce(List.of(operator.reports()), 42);

    assertQueueInvariants();
  }

  @Test
  void shouldKeepTheInvariantsWithTwoReplicasAndWhenTheLeaderStops() throws Exception {
    OperatorMain first = replica("replica-a", api.newClient());
    OperatorMain second = replica("replica-b", api.newClient());

    reportAllAtOnce(List.of(first.reports(), second.reports()), 7);
    assertQueueInvariants();

    String leader =
        client
            .leases()
            .inNamespace(NS)
            .withName("pxe-operator")
            .get()
            .getSpec()
            .getHolderIdentity();
    OperatorMain stopping = leader.equals("replica-a") ? first : second;
    stopping.close();
    replicas.remove(stopping);
    for (int i = 0; i < 5; i++) {
      Fixtures.create(client, Fixtures.slot("late-" + i, "10.11.1." + (10 + i), null));
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> count(NodeInstallPhase.Installing) == SLOTS + 5);
    assertThat(count(NodeInstallPhase.Waiting)).isEqualTo(MACHINES - SLOTS - 5);
    assertThat(installs().stream().map(ni -> ni.getSpec().getSlot()).filter(s -> s != null))
        .doesNotHaveDuplicates();
  }

  @Test
  void shouldFinishAClaimInterruptedBetweenTheLabelAndSpecSlotAfterARestart() {
    NodeInstall interrupted = new NodeInstall();
    interrupted.getMetadata().setName("52-54-00-00-00-01");
    interrupted.getMetadata().setNamespace(NS);
    interrupted.setSpec(new NodeInstallSpec());
    interrupted.getSpec().setMac("52:54:00:00:00:01");
    client.resource(interrupted).create();
    client
        .resources(ProvisioningSlot.class)
        .inNamespace(NS)
        .withName("slot-7")
        .edit(
            s -> {
              s.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-01"));
              return s;
            });

    replica("after-restart", client);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              NodeInstall ni = Fixtures.install(client, "52:54:00:00:00:01");
              return ni.getStatus() != null
                  && ni.getStatus().getPhase() == NodeInstallPhase.Installing;
            });
    NodeInstall resumed = Fixtures.install(client, "52:54:00:00:00:01");
    assertThat(resumed.getSpec().getSlot()).isEqualTo("slot-7");
    long held =
        client.resources(ProvisioningSlot.class).inNamespace(NS).list().getItems().stream()
            .filter(
                s ->
                    "52-54-00-00-00-01"
                        .equals(Fixtures.labels(s).get(ApiConstants.LABEL_CLAIMED_BY)))
            .count();
    assertThat(held).isEqualTo(1);
  }
}
