package lan.homelab.pxe.install;

import static lan.homelab.pxe.Fixtures.NS;
import static lan.homelab.pxe.Fixtures.install;
import static lan.homelab.pxe.Fixtures.pxe;
import static lan.homelab.pxe.Fixtures.slot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.Fixtures;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.api.v1alpha1.AnswerRequestFacts;
import lan.homelab.pxe.api.v1alpha1.ApiConstants;
import lan.homelab.pxe.api.v1alpha1.InstallInventory;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallPhase;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.SlotPhase;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeInstallLifecycleTest {
  private static final String MAC_A = "52:54:00:00:00:0a";
  private static final String MAC_B = "52:54:00:00:00:0b";

  private MockApi api;
  private KubernetesClient client;
  private OperatorMain operator;

  @BeforeEach
  void startOperator() {
    api = new MockApi(NS);
    client = api.client();
  }

  private final lan.homelab.pxe.TestClock clock = new lan.homelab.pxe.TestClock();

  private OperatorMain start(Map<String, ?> settings) {
    operator =
        new OperatorMain(client, OperatorSettings.defaults().with(settings), clock)
            .withHttpPort(0)
            .start();
    return operator;
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    api.close();
  }

  private NodeInstall awaitPhase(String mac, NodeInstallPhase phase) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              NodeInstall ni = install(client, mac);
              return ni != null && ni.getStatus() != null && ni.getStatus().getPhase() == phase;
            });
    return install(client, mac);
  }

  private String hosts() {
    ConfigMap cm =
        client.configMaps().inNamespace(NS).withName(Names.CONFIGMAP_DNSMASQ_HOSTS).get();
    return cm == null ? "" : cm.getData().get(Names.KEY_HOSTS);
  }

  private String token(String mac) {
    Secret secret =
        client
            .secrets()
            .inNamespace(NS)
            .withName(Names.tokenSecret(Mac.parse(mac).objectName()))
            .get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(Names.KEY_TOKEN)), StandardCharsets.UTF_8);
  }

  private WebhookReport webhookFrom(String mac, String bodyToken) {
    InstallInventory inventory = new InstallInventory();
    inventory.setFqdn("peach-beach.homelab.lan");
    return new WebhookReport(List.of(Mac.parse(mac)), bodyToken, inventory);
  }

  @Test
  void shouldGiveFirstPxeClientThePeachBeachSlotAndReserveItsAddress() {
    Fixtures.seedSlots(client);
    start(Map.of());

    var outcome = operator.reports().discovered(pxe(MAC_A));

    assertThat(outcome).isInstanceOf(DiscoveryOutcome.Registered.class);
    NodeInstall ni = awaitPhase(MAC_A, NodeInstallPhase.Installing);
    assertThat(ni.getSpec().getSlot()).isEqualTo("peach-beach");
    assertThat(ni.getStatus().getAddress()).isEqualTo("10.11.0.2");
    assertThat(ni.getStatus().getHostname()).isEqualTo("peach-beach");
    assertThat(ni.getStatus().getFqdn()).isEqualTo("peach-beach.homelab.lan");
    assertThat(Fixtures.labels(slot(client, "peach-beach")))
        .containsEntry(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0a");
    await().until(() -> hosts().contains(MAC_A + ",10.11.0.2,peach-beach"));
    assertThat(client.configMaps().inNamespace(NS).withName("pxe-node-52-54-00-00-00-0a").get())
        .isNotNull();
    await()
        .until(
            () -> {
              ProvisioningSlot s = slot(client, "peach-beach");
              return s.getStatus() != null && s.getStatus().getPhase() == SlotPhase.Claimed;
            });
    assertThat(slot(client, "peach-beach").getStatus().getMac()).isEqualTo(MAC_A);
  }

  @Test
  void shouldServeTheNodeFilesAgainAtOnceWhenSomeoneDeletesThem() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    var files = client.configMaps().inNamespace(NS).withName("pxe-node-52-54-00-00-00-0a");
    await().until(() -> files.get() != null);
    String answer = files.get().getData().get(Names.KEY_ANSWER);
    String tokenBefore = token(MAC_A);

    files.delete();

    await().atMost(Duration.ofSeconds(10)).until(() -> files.get() != null);
    assertThat(files.get().getData().get(Names.KEY_ANSWER)).isEqualTo(answer);
    assertThat(token(MAC_A)).isEqualTo(tokenBefore);
  }

  @Test
  void shouldPinTheNewCertificateInAnswersOnceTheTlsSecretWasReplaced() {
    Fixtures.seedSlots(client);
    start(Map.of("tls.enabled", true));
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    var files = client.configMaps().inNamespace(NS).withName("pxe-node-52-54-00-00-00-0a");
    await().until(() -> files.get() != null);
    String first = fingerprintOfTheTlsSecret();
    assertThat(files.get().getData().get(Names.KEY_ANSWER)).contains(first);

    client.secrets().inNamespace(NS).withName(Names.SECRET_TLS).delete();
    String second = fingerprintOfTheTlsSecret();
    clock.advance(Duration.ofMinutes(1));
    Fixtures.annotate(client, "52-54-00-00-00-0a", "test.pxe.homelab.lan/wake", "now");

    await().until(() -> files.get().getData().get(Names.KEY_ANSWER).contains(second));
    assertThat(files.get().getData().get(Names.KEY_ANSWER)).doesNotContain(first);
  }

  /** The fingerprint of the certificate in Secret pxe-tls (made first when it is missing). */
  private String fingerprintOfTheTlsSecret() {
    return lan.homelab.pxe.tls.SelfSignedCertificate.ensure(
            client, NS, Ipv4.parse("10.11.0.1"), clock)
        .fingerprint();
  }

  @Test
  void shouldStopPublishingWhenItsReplicaLostTheLease() {
    Fixtures.seedSlots(client);
    operator =
        new OperatorMain(client, OperatorSettings.defaults(), clock)
            .withLeaderElection("replica-a", Duration.ofSeconds(3))
            .withHttpPort(0)
            .start();
    operator.reports().discovered(pxe(MAC_A));
    await().until(() -> hosts().contains(MAC_A));

    client
        .leases()
        .inNamespace(NS)
        .withName("pxe-operator")
        .edit(
            lease -> {
              lease.getSpec().setHolderIdentity("replica-b");
              lease.getSpec().setLeaseDurationSeconds(600);
              lease.getSpec().setRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
              return lease;
            });
    await().until(() -> operator.bootConfigPublisher().stopped());
    ConfigMap edited =
        client.configMaps().inNamespace(NS).withName(Names.CONFIGMAP_DNSMASQ_HOSTS).get();
    edited.setData(Map.of(Names.KEY_HOSTS, "# written by the new leader\n"));
    client.resource(edited).update();
    operator.reports().discovered(pxe(MAC_B));
    awaitPhase(MAC_B, NodeInstallPhase.Installing); // the old leader's reconcilers still run here

    operator.bootConfigPublisher().publish();

    assertThat(hosts()).isEqualTo("# written by the new leader\n");
  }

  @Test
  void shouldWriteTheHostEntriesOverAnEditSomeoneElseMadeMeanwhile() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    await().until(() -> hosts().contains(MAC_A));
    ConfigMap edited =
        client.configMaps().inNamespace(NS).withName(Names.CONFIGMAP_DNSMASQ_HOSTS).get();
    edited.setData(Map.of(Names.KEY_HOSTS, "# edited by hand\n"));
    client.resource(edited).update();

    operator.reports().discovered(pxe(MAC_B));

    await().until(() -> hosts().contains(MAC_B));
    assertThat(hosts()).contains(MAC_A + ",10.11.0.2,peach-beach").doesNotContain("by hand");
  }

  @Test
  void shouldReleaseEverySlotLabelledForADeletedInstallAlsoOneItsSpecNeverRecorded() {
    // The operator stopped between a claim's two writes: slot-4 carries the label, spec.slot was
    // never written; the install holds moo-moo-meadows. Then a person deletes the install.
    Fixtures.seedSlots(client);
    NodeInstall ni = new NodeInstall();
    ni.getMetadata().setName("52-54-00-00-00-0a");
    ni.getMetadata().setNamespace(NS);
    ni.getMetadata()
        .setFinalizers(
            List.of(
                io.javaoperatorsdk.operator.ReconcilerUtils.getDefaultFinalizerName(
                    NodeInstall.class)));
    ni.setSpec(new lan.homelab.pxe.api.v1alpha1.NodeInstallSpec());
    ni.getSpec().setMac(MAC_A);
    ni.getSpec().setSlot("moo-moo-meadows");
    client.resource(ni).create();
    for (String slot : List.of("slot-4", "moo-moo-meadows")) {
      client
          .resources(ProvisioningSlot.class)
          .inNamespace(NS)
          .withName(slot)
          .edit(
              s -> {
                s.getMetadata()
                    .setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0a"));
                return s;
              });
    }
    client.resource(ni).delete();

    start(Map.of());

    await().until(() -> install(client, MAC_A) == null);
    await()
        .until(
            () ->
                !Fixtures.labels(slot(client, "slot-4")).containsKey(ApiConstants.LABEL_CLAIMED_BY)
                    && !Fixtures.labels(slot(client, "moo-moo-meadows"))
                        .containsKey(ApiConstants.LABEL_CLAIMED_BY));
    assertThat(Fixtures.labels(slot(client, "slot-4")))
        .doesNotContainKey(ApiConstants.LABEL_RESERVED_FOR);
    assertThat(Fixtures.labels(slot(client, "moo-moo-meadows")))
        .containsEntry(ApiConstants.LABEL_RESERVED_FOR, "52-54-00-00-00-0a");
    await()
        .until(
            () -> {
              ProvisioningSlot s = slot(client, "slot-4");
              return s.getStatus() != null && s.getStatus().getPhase() == SlotPhase.Available;
            });
    assertThat(Fixtures.eventReasons(client, "slot-4")).doesNotContain("ClaimCleared");
  }

  @Test
  void shouldClearAClaimLabelNamingNoNodeInstallAfterTheGracePeriodAndSaySo() {
    Fixtures.seedSlots(client);
    client
        .resources(ProvisioningSlot.class)
        .inNamespace(NS)
        .withName("slot-4")
        .edit(
            s -> {
              s.getMetadata().setLabels(Map.of(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0c"));
              return s;
            });
    start(Map.of());
    await()
        .until(
            () -> {
              ProvisioningSlot s = slot(client, "slot-4");
              return s.getStatus() != null && s.getStatus().getPhase() == SlotPhase.Claimed;
            });
    assertThat(Fixtures.labels(slot(client, "slot-4")))
        .containsEntry(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0c");

    clock.advance(lan.homelab.pxe.claim.StaleClaims.GRACE.plusSeconds(1));
    client
        .resources(ProvisioningSlot.class)
        .inNamespace(NS)
        .withName("slot-4")
        .edit(
            s -> {
              s.getMetadata().setAnnotations(Map.of("test.pxe.homelab.lan/wake", "now"));
              return s;
            });

    await()
        .until(
            () -> {
              ProvisioningSlot s = slot(client, "slot-4");
              return !Fixtures.labels(s).containsKey(ApiConstants.LABEL_CLAIMED_BY)
                  && s.getStatus().getPhase() == SlotPhase.Available;
            });
    assertThat(Fixtures.eventReasons(client, "slot-4")).contains("ClaimCleared");
    operator.reports().discovered(pxe(MAC_A));
    assertThat(awaitPhase(MAC_A, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("peach-beach");
  }

  @Test
  void shouldQueueAgainWhenItsClaimVanishesBeforeTheMachineBooted() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);

    client.resource(slot(client, "peach-beach")).delete();

    await()
        .until(
            () -> {
              NodeInstall ni = install(client, MAC_A);
              return "moo-moo-meadows".equals(ni.getSpec().getSlot())
                  && ni.getStatus().getPhase() == NodeInstallPhase.Installing
                  && "10.11.0.3".equals(ni.getStatus().getAddress());
            });
    await().until(() -> hosts().contains(MAC_A + ",10.11.0.3,moo-moo-meadows"));
    assertThat(hosts()).doesNotContain("10.11.0.2");
    assertThat(Fixtures.labels(slot(client, "moo-moo-meadows")))
        .containsEntry(ApiConstants.LABEL_CLAIMED_BY, "52-54-00-00-00-0a");
    assertThat(Fixtures.eventReasons(client, "52-54-00-00-00-0a")).contains("ClaimLost");
  }

  @Test
  void shouldFailWhenItsClaimVanishesAfterTheMachineFetchedItsBootScript() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    operator.reports().bootScriptServed("52-54-00-00-00-0a", Ipv4.parse("10.11.3.200"));
    await().until(() -> install(client, MAC_A).getStatus().getBootScriptServedAt() != null);

    client.resource(slot(client, "peach-beach")).delete();

    NodeInstall failed = awaitPhase(MAC_A, NodeInstallPhase.Failed);
    assertThat(failed.getStatus().getReason()).contains("claim on slot peach-beach is gone");
    assertThat(failed.getSpec().getSlot()).isEqualTo("peach-beach");
    assertThat(slot(client, "moo-moo-meadows").getMetadata().getLabels())
        .doesNotContainKey(ApiConstants.LABEL_CLAIMED_BY);
  }

  @Test
  void
      shouldFailWhenItsClaimVanishesAfterTheInstallerFetchedItsAnswerEvenIfTheBootScriptReportWasLost() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    AnswerRequestFacts facts = new AnswerRequestFacts();
    facts.setMacs(List.of(MAC_A));
    await()
        .until(() -> operator.reports().answerServed(Ipv4.parse("10.11.0.2"), facts).isPresent());
    await().until(() -> install(client, MAC_A).getStatus().getAnswerServedAt() != null);

    client.resource(slot(client, "peach-beach")).delete();

    NodeInstall failed = awaitPhase(MAC_A, NodeInstallPhase.Failed);
    assertThat(failed.getStatus().getBootScriptServedAt()).isNull();
    assertThat(failed.getStatus().getReason()).contains("claim on slot peach-beach is gone");
  }

  @Test
  void shouldRemoveANodeConfigMapLeftBehindWhileTheMachineWaits() {
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    NodeInstall waiting = awaitPhase(MAC_A, NodeInstallPhase.Waiting);
    var files = client.configMaps().inNamespace(NS).withName("pxe-node-52-54-00-00-00-0a");

    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withMetadata(OwnedObjects.metadata(waiting, "pxe-node-52-54-00-00-00-0a"))
                .addToData(Names.KEY_ADDRESS, "10.11.0.2")
                .build())
        .create();

    await().until(() -> files.get() == null);
    assertThat(install(client, MAC_A).getStatus().getPhase()).isEqualTo(NodeInstallPhase.Waiting);
  }

  @Test
  void shouldPublishTheBootPodsStaticConfigurationWhenItKnowsWhereNginxReachesIt() {
    start(Map.of("operatorUrl", "http://pxe-operator.pxe-system.svc:8081"));
    Fixtures.seedSlots(client);

    await()
        .until(
            () ->
                client.configMaps().inNamespace(NS).withName(Names.CONFIGMAP_DNSMASQ).get() != null
                    && client.configMaps().inNamespace(NS).withName(Names.CONFIGMAP_BOOT).get()
                        != null);

    assertThat(
            client
                .configMaps()
                .inNamespace(NS)
                .withName(Names.CONFIGMAP_DNSMASQ)
                .get()
                .getData()
                .get(Names.KEY_DNSMASQ_CONF))
        .contains("interface=vmbr0")
        .contains("port=0");
    assertThat(
            client
                .configMaps()
                .inNamespace(NS)
                .withName(Names.CONFIGMAP_BOOT)
                .get()
                .getData()
                .get(Names.KEY_NGINX_CONF))
        .contains("http://pxe-operator.pxe-system.svc:8081");
  }

  @Test
  void shouldHandOutSlotsInQueueOrderOneMachineAfterAnother() {
    Fixtures.seedSlots(client);
    start(Map.of());

    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    operator.reports().discovered(pxe(MAC_B));

    assertThat(awaitPhase(MAC_B, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("moo-moo-meadows");
  }

  @Test
  void shouldChangeNothingWhenTheSameMacReportsAgain() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    NodeInstall first = awaitPhase(MAC_A, NodeInstallPhase.Installing);

    var again = operator.reports().discovered(pxe(MAC_A));

    assertThat(again).isInstanceOf(DiscoveryOutcome.AlreadyKnown.class);
    assertThat(install(client, MAC_A).getSpec().getSlot()).isEqualTo(first.getSpec().getSlot());
    assertThat(client.resources(NodeInstall.class).inNamespace(NS).list().getItems()).hasSize(1);
  }

  @Test
  void shouldNeverClaimForAPlainDhcpClient() {
    Fixtures.seedSlots(client);
    start(Map.of());

    var outcome = operator.reports().discovered(Fixtures.plainDhcp(MAC_A));

    assertThat(outcome).isInstanceOf(DiscoveryOutcome.Ignored.class);
    assertThat(client.resources(NodeInstall.class).inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void shouldNeverClaimForAProxmoxVirtualNicOrADenyListedMac() {
    Fixtures.seedSlots(client);
    start(Map.of("denyList", List.of("bc:24:11", "52:54:00:00:00:0b")));

    assertThat(operator.reports().discovered(pxe("BC:24:11:12:34:56")))
        .isInstanceOf(DiscoveryOutcome.Ignored.class);
    assertThat(operator.reports().discovered(pxe(MAC_B)))
        .isInstanceOf(DiscoveryOutcome.Ignored.class);
    assertThat(client.resources(NodeInstall.class).inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void shouldRejectADenyListedMacEvenWhenItsNodeInstallIsCreatedByHand() {
    Fixtures.seedSlots(client);
    start(Map.of());
    NodeInstall ni = new NodeInstall();
    ni.getMetadata().setName("bc-24-11-00-00-01");
    ni.getMetadata().setNamespace(NS);
    ni.setSpec(new lan.homelab.pxe.api.v1alpha1.NodeInstallSpec());
    ni.getSpec().setMac("bc:24:11:00:00:01");
    client.resource(ni).create();

    NodeInstall rejected = awaitPhase("bc:24:11:00:00:01", NodeInstallPhase.Rejected);

    assertThat(rejected.getSpec().getSlot()).isNull();
    assertThat(rejected.getStatus().getReason()).contains("deny-list");
  }

  @Test
  void shouldWaitWhenTheQueueIsEmptyAndClaimTheMomentASlotIsApplied() {
    Fixtures.create(client, slot("peach-beach", "10.11.0.2", "peach-beach"));
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);

    operator.reports().discovered(pxe(MAC_B));
    NodeInstall waiting = awaitPhase(MAC_B, NodeInstallPhase.Waiting);
    assertThat(waiting.getStatus().getReason()).contains("no free slot");

    Fixtures.create(client, slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows"));

    assertThat(awaitPhase(MAC_B, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("moo-moo-meadows");
  }

  @Test
  void shouldMarkProvisionedAndIgnoreTheMacWhenTheWebhookArrives() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    String name = Mac.parse(MAC_A).objectName();

    var outcome =
        operator.reports().webhookReceived(name, token(MAC_A), webhookFrom(MAC_A, token(MAC_A)));

    assertThat(outcome).isEqualTo(WebhookOutcome.ACCEPTED);
    NodeInstall done = awaitPhase(MAC_A, NodeInstallPhase.Provisioned);
    assertThat(done.getStatus().getCompletedAt()).isNotNull();
    assertThat(done.getStatus().getInventory().getFqdn()).isEqualTo("peach-beach.homelab.lan");
    await().until(() -> hosts().contains(MAC_A + ",ignore"));
    assertThat(hosts()).doesNotContain("10.11.0.2");
    await()
        .until(
            () -> client.configMaps().inNamespace(NS).withName("pxe-node-" + name).get() == null);
    assertThat(
            operator
                .reports()
                .webhookReceived(name, token(MAC_A), webhookFrom(MAC_A, token(MAC_A))))
        .isEqualTo(WebhookOutcome.ALREADY_PROVISIONED);
  }

  @Test
  void shouldRefuseAWebhookWithAWrongTokenOrAnotherMachinesMac() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    String name = Mac.parse(MAC_A).objectName();

    assertThat(operator.reports().webhookReceived(name, "forged", webhookFrom(MAC_A, "forged")))
        .isEqualTo(WebhookOutcome.BAD_TOKEN);
    assertThat(
            operator
                .reports()
                .webhookReceived(name, token(MAC_A), webhookFrom(MAC_B, token(MAC_A))))
        .isEqualTo(WebhookOutcome.MAC_MISMATCH);
    assertThat(operator.reports().webhookReceived(name, token(MAC_A), webhookFrom(MAC_A, null)))
        .isEqualTo(WebhookOutcome.BAD_TOKEN);

    assertThat(install(client, MAC_A).getStatus().getPhase())
        .isEqualTo(NodeInstallPhase.Installing);
    assertThat(install(client, MAC_A).getStatus().getWebhookReceivedAt()).isNull();
  }

  /** Moves the operator's clock past the install timeout and wakes the install. */
  private void passTheInstallTimeout(String mac) {
    clock.advance(operator.settings().installTimeout().plusMinutes(1));
    Fixtures.annotate(client, Mac.parse(mac).objectName(), "test.pxe.homelab.lan/wake", "now");
  }

  @Test
  void shouldFailAfterTheInstallTimeoutKeepTheSlotAndIgnoreTheMac() {
    Fixtures.seedSlots(client);
    start(Map.of("installTimeout", "1m"));
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);

    passTheInstallTimeout(MAC_A);

    NodeInstall failed = awaitPhase(MAC_A, NodeInstallPhase.Failed);

    assertThat(failed.getStatus().getReason()).contains("no post-installation webhook");
    assertThat(failed.getSpec().getSlot()).isEqualTo("peach-beach");
    await().until(() -> hosts().contains(MAC_A + ",ignore"));
  }

  @Test
  void shouldStillMarkProvisionedWhenTheWebhookArrivesAfterTheTimeout() {
    Fixtures.seedSlots(client);
    start(Map.of("installTimeout", "1m"));
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    passTheInstallTimeout(MAC_A);
    awaitPhase(MAC_A, NodeInstallPhase.Failed);
    String token = token(MAC_A);

    var outcome =
        operator
            .reports()
            .webhookReceived(Mac.parse(MAC_A).objectName(), token, webhookFrom(MAC_A, token));

    assertThat(outcome).isEqualTo(WebhookOutcome.ACCEPTED);
    awaitPhase(MAC_A, NodeInstallPhase.Provisioned);
  }

  @Test
  void shouldInstallAgainWhenAPersonRetriesAFailedInstall() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    String oldToken = token(MAC_A);
    // It booted (else unbootedRelease would give the slot back before the install timeout).
    operator
        .reports()
        .bootScriptServed(
            Mac.parse(MAC_A).objectName(),
            Ipv4.parse(install(client, MAC_A).getStatus().getAddress()));
    await().until(() -> install(client, MAC_A).getStatus().getBootScriptServedAt() != null);
    clock.advance(Duration.ofMinutes(61));
    Fixtures.annotate(client, "52-54-00-00-00-0a", "test/poke", "1");
    awaitPhase(MAC_A, NodeInstallPhase.Failed);

    Fixtures.annotate(client, Mac.parse(MAC_A).objectName(), ApiConstants.ANNOTATION_RETRY, "now");

    NodeInstall again = awaitPhase(MAC_A, NodeInstallPhase.Installing);
    assertThat(again.getSpec().getSlot()).isEqualTo("peach-beach");
    await().until(() -> hosts().contains(MAC_A + ",10.11.0.2,peach-beach"));
    await().until(() -> !token(MAC_A).equals(oldToken));
    var files = client.configMaps().inNamespace(NS).withName("pxe-node-52-54-00-00-00-0a");
    await()
        .until(
            () ->
                files.get() != null
                    && files.get().getData().get(Names.KEY_ANSWER).contains(token(MAC_A)));
    assertThat(files.get().getData().get(Names.KEY_ANSWER)).doesNotContain(oldToken);
    // The operator removes the annotation it acted on (the mock keeps the key with a null value).
    assertThat(
            install(client, MAC_A)
                .getMetadata()
                .getAnnotations()
                .get(ApiConstants.ANNOTATION_RETRY))
        .isNull();
  }

  @Test
  void shouldFailAnInstallWhoseBootScriptRefusedToStartTheInstallerAndLetARetryClearIt() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);

    assertThat(
            operator
                .reports()
                .bootRefused("52-54-00-00-00-0a", "memory", "4096", Ipv4.parse("10.11.3.200")))
        .isEqualTo(NotificationOutcome.RECORDED);

    NodeInstall failed = awaitPhase(MAC_A, NodeInstallPhase.Failed);
    assertThat(failed.getStatus().getReason()).contains("4096 MiB").contains("6 GiB");
    await().until(() -> hosts().contains(MAC_A + ",ignore"));
    Fixtures.annotate(client, "52-54-00-00-00-0a", ApiConstants.ANNOTATION_RETRY, "now");
    NodeInstall again = awaitPhase(MAC_A, NodeInstallPhase.Installing);
    assertThat(again.getStatus().getBootRefusal()).isNull();
    assertThat(
            operator
                .reports()
                .bootRefused("ff-ff-ff-ff-ff-ff", "memory", "1", Ipv4.parse("10.11.3.200")))
        .isEqualTo(NotificationOutcome.UNKNOWN_INSTALL);
  }

  @Test
  void shouldMarkAnInstallProvisionedByHand() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);

    Fixtures.annotate(
        client, Mac.parse(MAC_A).objectName(), ApiConstants.ANNOTATION_MARK_PROVISIONED, "true");

    NodeInstall done = awaitPhase(MAC_A, NodeInstallPhase.Provisioned);
    assertThat(done.getStatus().getReason()).isEqualTo("marked provisioned by hand");
    await().until(() -> hosts().contains(MAC_A + ",ignore"));
  }

  @Test
  void shouldParkANewcomerInApprovalModeUntilAPersonApprovesIt() {
    Fixtures.seedSlots(client);
    start(Map.of("claimPolicy", "approval"));
    operator.reports().discovered(pxe(MAC_A));
    NodeInstall parked = awaitPhase(MAC_A, NodeInstallPhase.AwaitingApproval);
    assertThat(parked.getSpec().getSlot()).isNull();

    Fixtures.annotate(
        client, Mac.parse(MAC_A).objectName(), ApiConstants.ANNOTATION_APPROVED, "true");

    assertThat(awaitPhase(MAC_A, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("peach-beach");
  }

  @Test
  void shouldSkipAPausedSlot() {
    ProvisioningSlot paused = slot("peach-beach", "10.11.0.2", "peach-beach");
    paused.getSpec().setPaused(true);
    Fixtures.create(client, paused);
    Fixtures.create(client, slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows"));
    start(Map.of());

    operator.reports().discovered(pxe(MAC_A));

    assertThat(awaitPhase(MAC_A, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("moo-moo-meadows");
  }

  @Test
  void shouldGiveASlotReservedForAMacOnlyToThatMac() {
    ProvisioningSlot reserved = slot("peach-beach", "10.11.0.2", "peach-beach");
    reserved.getSpec().setMac("52-54-00-00-00-0B");
    Fixtures.create(client, reserved);
    Fixtures.create(client, slot("moo-moo-meadows", "10.11.0.3", "moo-moo-meadows"));
    start(Map.of());

    operator.reports().discovered(pxe(MAC_A));
    assertThat(awaitPhase(MAC_A, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("moo-moo-meadows");
    operator.reports().discovered(pxe(MAC_B));
    assertThat(awaitPhase(MAC_B, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("peach-beach");
  }

  @Test
  void shouldKeepTheSlotForTheMacWhenItsNodeInstallIsDeletedAndLeaveNoReservationBehind() {
    Fixtures.seedSlots(client);
    start(Map.of());
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);
    await().until(() -> hosts().contains(MAC_A));

    client.resources(NodeInstall.class).inNamespace(NS).withName("52-54-00-00-00-0a").delete();

    await().until(() -> install(client, MAC_A) == null);
    await().until(() -> !hosts().contains(MAC_A));
    assertThat(client.configMaps().inNamespace(NS).withName("pxe-node-52-54-00-00-00-0a").get())
        .isNull();
    assertThat(client.secrets().inNamespace(NS).withName("pxe-token-52-54-00-00-00-0a").get())
        .isNull();
    assertThat(Fixtures.labels(slot(client, "peach-beach")))
        .doesNotContainKey(ApiConstants.LABEL_CLAIMED_BY)
        .containsEntry(ApiConstants.LABEL_RESERVED_FOR, "52-54-00-00-00-0a");

    operator.reports().discovered(pxe(MAC_B));
    assertThat(awaitPhase(MAC_B, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("moo-moo-meadows");
    operator.reports().discovered(pxe(MAC_A));
    assertThat(awaitPhase(MAC_A, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("peach-beach");
  }

  @Test
  void shouldReleaseTheSlotOnDeleteWhenThePolicyIsRelease() {
    Fixtures.seedSlots(client);
    start(Map.of("slotOnDelete", "release"));
    operator.reports().discovered(pxe(MAC_A));
    awaitPhase(MAC_A, NodeInstallPhase.Installing);

    client.resources(NodeInstall.class).inNamespace(NS).withName("52-54-00-00-00-0a").delete();
    await().until(() -> install(client, MAC_A) == null);

    assertThat(Fixtures.labels(slot(client, "peach-beach")))
        .doesNotContainKeys(ApiConstants.LABEL_CLAIMED_BY, ApiConstants.LABEL_RESERVED_FOR);
    operator.reports().discovered(pxe(MAC_B));
    assertThat(awaitPhase(MAC_B, NodeInstallPhase.Installing).getSpec().getSlot())
        .isEqualTo("peach-beach");
  }
}
