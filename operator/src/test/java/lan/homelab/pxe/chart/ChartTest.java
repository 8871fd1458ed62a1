package lan.homelab.pxe.chart;

import static lan.homelab.pxe.chart.HelmChart.NAMESPACE;
import static lan.homelab.pxe.chart.HelmChart.all;
import static lan.homelab.pxe.chart.HelmChart.find;
import static lan.homelab.pxe.chart.HelmChart.one;
import static lan.homelab.pxe.chart.HelmChart.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.answer.InstallerVersion;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.config.OperatorSettings;
import org.junit.jupiter.api.Test;

/** The chart renders what the operator and the boot pod need, and refuses bad values. */
class ChartTest {

  private static final List<String> STANDARD_LABELS =
      List.of(
          "app.kubernetes.io/name",
          "app.kubernetes.io/instance",
          "app.kubernetes.io/version",
          "app.kubernetes.io/managed-by",
          "app.kubernetes.io/component",
          "helm.sh/chart");

  @Test
  void shouldPassHelmLintStrict() {
    var result = new Helm(HelmChart.chartDir()).lint().strict().call();

    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).allMatch(m -> m.startsWith("[INFO]"), "only INFO messages");
  }

  @Test
  void shouldGiveEveryObjectTheStandardLabelsAndTheReleaseNamespace() {
    List<HasMetadata> objects = parseWithHooks(null);

    assertThat(objects).hasSizeGreaterThan(10);
    for (HasMetadata object : objects) {
      String what = object.getKind() + " " + object.getMetadata().getName();
      assertThat(object.getMetadata().getLabels()).as(what).containsKeys(labels());
      assertThat(object.getMetadata().getLabels())
          .as(what)
          .containsEntry("app.kubernetes.io/name", "pxe-operator")
          .containsEntry("app.kubernetes.io/instance", HelmChart.RELEASE);
      assertThat(object.getMetadata().getNamespace()).as(what).isEqualTo(NAMESPACE);
    }
  }

  @Test
  void shouldUseOnlyFieldsKubernetesKnows() {
    List<HasMetadata> objects =
        parseWithHooks("purge: true\ntls: {enabled: true}\nnginx: {httpPort: 8180}\n");

    for (HasMetadata object : objects) {
      if (object.getKind().equals("ProvisioningSlot")) {
        continue;
      }
      assertThat(UnknownFields.in(object))
          .as("unknown fields in %s %s", object.getKind(), object.getMetadata().getName())
          .isEmpty();
    }
  }

  @Test
  void shouldFindAMisspeltField() {
    var deployment =
        (HasMetadata)
            Serialization.unmarshal(
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: c
                          securityContext: {readOnlyRootFileSystem: true}
                """);

    assertThat(UnknownFields.in(deployment))
        .containsExactly("spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem");
  }

  @Test
  void shouldTurnTheDefaultSlotsIntoTheSeedsFiveProvisioningSlots() {
    List<ProvisioningSlot> slots = slots(render(null));

    assertThat(slots)
        .extracting(s -> s.getMetadata().getName(), s -> s.getSpec().getAddress())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("peach-beach", "10.11.0.2"),
            org.assertj.core.groups.Tuple.tuple("moo-moo-meadows", "10.11.0.3"),
            org.assertj.core.groups.Tuple.tuple("slot-10-11-0-4", "10.11.0.4"),
            org.assertj.core.groups.Tuple.tuple("slot-10-11-0-5", "10.11.0.5"),
            org.assertj.core.groups.Tuple.tuple("slot-10-11-0-6", "10.11.0.6"));
    assertThat(slots.get(0).getSpec().getHostname()).isEqualTo("peach-beach");
    assertThat(slots.get(2).getSpec().getHostname()).isNull();
    assertThat(slots)
        .allSatisfy(
            s ->
                assertThat(s.getMetadata().getAnnotations())
                    .containsEntry("helm.sh/resource-policy", "keep"));
  }

  @Test
  void shouldCarryEverySlotFieldFromValues() {
    List<ProvisioningSlot> slots =
        slots(
            render(
                """
                slots:
                  - address: 10.11.0.9
                    hostname: luigi-circuit
                    order: 3
                    paused: true
                    mac: AA-BB-CC-DD-EE-01
                    answer:
                      overrides: |
                        [global]
                        keyboard = "de"
                      extraRootSshKeys: ["ssh-ed25519 AAAA luigi"]
                  - address: 10.11.0.10
                    order: 0
                    paused: false
                """));

    assertThat(slots).hasSize(2);
    var first = slots.get(0).getSpec();
    assertThat(first.getAddress()).isEqualTo("10.11.0.9");
    assertThat(first.getHostname()).isEqualTo("luigi-circuit");
    assertThat(first.getOrder()).isEqualTo(3);
    assertThat(first.getPaused()).isTrue();
    assertThat(first.getMac()).isEqualTo("AA-BB-CC-DD-EE-01");
    assertThat(first.getAnswer().getOverrides()).isEqualTo("[global]\nkeyboard = \"de\"\n");
    assertThat(first.getAnswer().getExtraRootSshKeys()).containsExactly("ssh-ed25519 AAAA luigi");
    var second = slots.get(1);
    assertThat(second.getMetadata().getName()).isEqualTo("slot-10-11-0-10");
    assertThat(second.getSpec().getOrder()).isZero();
    assertThat(second.getSpec().getPaused()).isFalse();
    assertThat(second.getSpec().getAnswer()).isNull();
  }

  @Test
  void shouldRenderSettingsTheOperatorReadsAsTheSeedsDefaults() {
    OperatorSettings settings = HelmChart.settings(render(null));

    assertThat(settings)
        .isEqualTo(
            OperatorSettings.defaults()
                .with(
                    Map.of(
                        "namespace",
                        NAMESPACE,
                        "operatorUrl",
                        "http://pxe-operator." + NAMESPACE + ".svc:8081")));
  }

  @Test
  void shouldCarryEverySettingFromValues() {
    OperatorSettings settings =
        HelmChart.settings(
            render(
                """
                network:
                  interface: eno1
                  cidr: 192.168.8.0/24
                  gateway: 192.168.8.254
                  dns: 192.168.8.53
                  domain: lab.example
                  serverAddress: 192.168.8.10
                  discoveryPool: {start: 192.168.8.200, end: 192.168.8.220}
                operator:
                  installerVersion: "8.4"
                  claimPolicy: approval
                  denyList: ["aa:bb:cc:dd:ee:ff", "bc:24:11"]
                  maxConcurrentInstalls: 2
                  installTimeout: 90m
                  slotOnDelete: release
                  maxUnclaimedInstalls: 5
                  unbootedRelease: 3m
                  httpPort: 9091
                tls:
                  enabled: true
                nginx:
                  httpPort: 8880
                  httpsPort: 8843
                """));

    assertThat(settings.interfaceName()).isEqualTo("eno1");
    assertThat(settings.network()).hasToString("192.168.8.0/24");
    assertThat(settings.gateway()).hasToString("192.168.8.254");
    assertThat(settings.dns()).hasToString("192.168.8.53");
    assertThat(settings.domain()).isEqualTo("lab.example");
    assertThat(settings.serverAddress()).hasToString("192.168.8.10");
    assertThat(settings.discoveryPoolStart()).hasToString("192.168.8.200");
    assertThat(settings.discoveryPoolEnd()).hasToString("192.168.8.220");
    assertThat(settings.bootHttpUrl()).isEqualTo("http://192.168.8.10:8880");
    assertThat(settings.webhookUrl()).isEqualTo("https://192.168.8.10:8843");
    assertThat(settings.tlsEnabled()).isTrue();
    assertThat(settings.installerVersion()).isEqualTo(InstallerVersion.V8_4);
    assertThat(settings.claimPolicy()).isEqualTo(OperatorSettings.ClaimPolicy.approval);
    assertThat(settings.denyList()).containsExactly("aa:bb:cc:dd:ee:ff", "bc:24:11");
    assertThat(settings.maxConcurrentInstalls()).isEqualTo(2);
    assertThat(settings.installTimeout()).hasMinutes(90);
    assertThat(settings.slotOnDelete()).isEqualTo(OperatorSettings.SlotOnDelete.release);
    assertThat(settings.maxUnclaimedInstalls()).isEqualTo(5);
    assertThat(settings.unbootedRelease()).hasMinutes(3);
    assertThat(settings.httpPort()).isEqualTo(9091);
    assertThat(settings.nginxHttpPort()).isEqualTo(8880);
    assertThat(settings.nginxHttpsPort()).isEqualTo(8843);
  }

  @Test
  void shouldRunTheOperatorNonRootReadOnlyAndSmall() {
    Deployment deployment = one(render(null), Deployment.class, "pxe-operator");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container operator = pod.getContainers().get(0);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(pod.getServiceAccountName()).isEqualTo("pxe-operator");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(operator.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(operator.getArgs())
        .containsExactly("run", "--config", "/etc/pxe-operator/settings.yaml");
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operator.getPorts().get(0).getContainerPort()).isEqualTo(8081);
    assertThat(operator.getResources().getRequests().get("memory")).hasToString("64Mi");
    assertThat(operator.getResources().getLimits().get("memory")).hasToString("192Mi");
  }

  @Test
  void shouldRunTheBootPodOnTheHostNetworkWithOnlyTheListedCapabilities() {
    Deployment deployment = one(render(null), Deployment.class, "pxe-boot");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
    assertThat(pod.getShareProcessNamespace()).isTrue();
    assertThat(pod.getNodeSelector())
        .containsExactly(Map.entry("kubernetes.io/hostname", "rainbow-road"));
    assertThat(capabilitiesByContainer(pod))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "loaders", List.of(),
                "sync", List.of("KILL"),
                "dnsmasq", List.of("NET_ADMIN", "NET_BIND_SERVICE", "SETGID"),
                "nginx", List.of()));
    for (Container c : containers(pod)) {
      assertThat(c.getSecurityContext().getCapabilities().getDrop())
          .as(c.getName())
          .containsExactly("ALL");
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
      assertThat(c.getSecurityContext().getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
    }
  }

  @Test
  void shouldFeedDnsmasqAndNginxFromTheSyncedDirectory() {
    PodSpec pod = one(render(null), Deployment.class, "pxe-boot").getSpec().getTemplate().getSpec();
    Container sync = container(pod, "sync");
    Container dnsmasq = container(pod, "dnsmasq");
    Container nginx = container(pod, "nginx");

    assertThat(sync.getRestartPolicy()).as("sync is a native sidecar").isEqualTo("Always");
    assertThat(sync.getImage()).isEqualTo("pxe-operator:0.1.0-SNAPSHOT");
    assertThat(sync.getArgs())
        .containsExactly("sync", "--dir", "/run/pxe", "--namespace", NAMESPACE);
    assertThat(dnsmasq.getImage()).matches("quay\\.io/poseidon/dnsmasq:v[0-9].+");
    assertThat(dnsmasq.getArgs())
        .contains("--keep-in-foreground", "--conf-file=/run/pxe/dnsmasq/dnsmasq.conf");
    assertThat(nginx.getImage()).matches("docker\\.io/library/nginx:1\\.[0-9.]+-alpine");
    assertThat(nginx.getArgs()).containsSubsequence("-c", "/run/pxe/nginx/nginx.conf");
    assertThat(nginx.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(8080);
    assertThat(mountPath(sync, "run-pxe")).isEqualTo("/run/pxe");
    assertThat(mountPath(dnsmasq, "run-pxe")).isEqualTo("/run/pxe");
    assertThat(mountPath(nginx, "run-pxe")).isEqualTo("/run/pxe");
    assertThat(mountPath(nginx, "boot-assets")).isEqualTo("/run/pxe/assets");
    assertThat(readOnly(nginx, "boot-assets")).isTrue();
    assertThat(readOnly(dnsmasq, "run-pxe")).as("dnsmasq writes its pid and leases").isFalse();
    assertThat(dnsmasq.getArgs()).noneMatch(a -> a.startsWith("--pid-file"));
    assertThat(dnsmasq.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains(
            "PXE_HOOK_URL=http://pxe-operator." + NAMESPACE + ".svc:8081",
            "PXE_HOOK_TOKEN_FILE=/run/pxe/secrets/hook-token");
    assertThat(container(pod, "loaders").getCommand()).last().asString().contains("/run/pxe/tftp");
    assertThat(volume(pod, "boot-assets").getHostPath().getPath())
        .isEqualTo("/var/lib/pxe-operator/assets");
    assertThat(pod.getVolumes())
        .as("the sync writes the hook token into the shared directory")
        .noneMatch(v -> v.getSecret() != null);
  }

  @Test
  void shouldGiveTheApiTokenToTheSyncContainerOnly() {
    PodSpec pod = one(render(null), Deployment.class, "pxe-boot").getSpec().getTemplate().getSpec();
    String tokenDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(mountPath(container(pod, "sync"), "api-token")).isEqualTo(tokenDir);
    for (String name : List.of("dnsmasq", "nginx")) {
      assertThat(container(pod, name).getVolumeMounts())
          .as(name)
          .noneMatch(m -> m.getMountPath().startsWith("/var/run/secrets"));
    }
    assertThat(volume(pod, "api-token").getProjected().getSources())
        .anySatisfy(s -> assertThat(s.getServiceAccountToken().getPath()).isEqualTo("token"));
  }

  @Test
  void shouldStartNginxWithTheRenderedConfAloneSinceItSaysDaemonOffItself() {
    PodSpec pod = one(render(null), Deployment.class, "pxe-boot").getSpec().getTemplate().getSpec();

    assertThat(container(pod, "nginx").getCommand()).containsExactly("nginx");
    assertThat(container(pod, "nginx").getArgs())
        .containsExactly("-c", "/run/pxe/nginx/nginx.conf");
  }

  @Test
  void shouldStartDnsmasqAndNginxOnlyOnceEveryFileNginxIncludesIsWritten() {
    PodSpec plain =
        one(render(null), Deployment.class, "pxe-boot").getSpec().getTemplate().getSpec();
    PodSpec tls =
        one(render("tls: {enabled: true}\n"), Deployment.class, "pxe-boot")
            .getSpec()
            .getTemplate()
            .getSpec();

    assertThat(container(plain, "sync").getStartupProbe().getExec().getCommand())
        .contains(
            "/run/pxe/dnsmasq/dnsmasq.conf",
            "/run/pxe/nginx/nginx.conf",
            "/run/pxe/secrets/hook-token.nginx",
            "/run/pxe/nginx/assets-allow.conf")
        .doesNotContain("/run/pxe/secrets/tls.crt");
    assertThat(container(tls, "sync").getStartupProbe().getExec().getCommand())
        .contains("/run/pxe/secrets/tls.crt", "/run/pxe/secrets/tls.key");
  }

  @Test
  void shouldShareTheSyncedFilesWithNginxThroughThePodsFsGroup() {
    PodSpec pod = one(render(null), Deployment.class, "pxe-boot").getSpec().getTemplate().getSpec();

    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(101L);
    assertThat(container(pod, "nginx").getSecurityContext().getRunAsGroup()).isEqualTo(101L);
  }

  @Test
  void shouldLetTheLoadersInitContainerTakeLoadersFromTheBootAssets() {
    PodSpec pod = one(render(null), Deployment.class, "pxe-boot").getSpec().getTemplate().getSpec();
    Container loaders = container(pod, "loaders");

    assertThat(mountPath(loaders, "boot-assets")).isEqualTo("/run/pxe/assets");
    assertThat(readOnly(loaders, "boot-assets")).isTrue();
    assertThat(loaders.getCommand())
        .last()
        .asString()
        .contains("/var/lib/tftpboot/*", "/run/pxe/assets/loaders/*", "/run/pxe/tftp/");
  }

  @Test
  void shouldRefuseAnNginxPortTheUnprivilegedNginxCannotBind() {
    for (String port : List.of("httpPort: 80", "httpsPort: 443", "httpPort: 1024")) {
      assertThatThrownBy(() -> render("nginx: {" + port + "}\n"))
          .as(port)
          .hasMessageContaining("values don't meet the specifications of the schema")
          .hasMessageContaining("/nginx/" + port.substring(0, port.indexOf(':')));
    }
    assertThatThrownBy(() -> render("nginx: {httpPort: 70000}\n"))
        .hasMessageContaining("/nginx/httpPort");
    assertThat(HelmChart.settings(render("nginx: {httpPort: 1025}\n")).nginxHttpPort())
        .isEqualTo(1025);
  }

  @Test
  void shouldServeTlsAndAssetsFromAClaimWhenAsked() {
    PodSpec pod =
        one(
                render("tls: {enabled: true}\nbootAssets: {existingClaim: pxe-assets}\n"),
                Deployment.class,
                "pxe-boot")
            .getSpec()
            .getTemplate()
            .getSpec();

    assertThat(volume(pod, "boot-assets").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("pxe-assets");
    assertThat(volume(pod, "boot-assets").getHostPath()).isNull();
    assertThat(container(pod, "nginx").getPorts())
        .extracting(p -> p.getContainerPort())
        .containsExactly(8080, 8443);
    assertThat(
            one(
                    render("tls: {enabled: true}\n"),
                    io.fabric8.kubernetes.api.model.rbac.Role.class,
                    "pxe-boot")
                .getRules())
        .as("the sync writes the certificate for nginx")
        .anySatisfy(r -> assertThat(r.getResourceNames()).contains(Names.SECRET_TLS));
  }

  @Test
  void shouldWriteTheAnswerTemplateAndTheRootPasswordWhereTheOperatorReadsThem() {
    List<HasMetadata> objects =
        render(
            """
            answerTemplate: |
              [global]
              keyboard = "fr"
            rootPassword: {password: "s3cret"}
            """);

    assertThat(one(objects, ConfigMap.class, Names.CONFIGMAP_ANSWER_TEMPLATE).getData())
        .containsExactly(Map.entry(Names.KEY_TEMPLATE, "[global]\nkeyboard = \"fr\"\n"));
    Secret password = one(objects, Secret.class, Names.SECRET_ROOT_PASSWORD);
    assertThat(decode(password.getData().get("password"))).isEqualTo("s3cret");
    assertThat(password.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void shouldPassAHashAndLeaveAnExistingSecretAlone() {
    Secret hashed =
        one(render("rootPassword: {hash: \"$6$salt$hash\"}\n"), Secret.class, "pxe-root-password");
    assertThat(hashed.getData()).containsOnlyKeys("hash");
    assertThat(decode(hashed.getData().get("hash"))).isEqualTo("$6$salt$hash");

    List<HasMetadata> objects =
        parseWithHooks("rootPassword: {create: false}\ndhcpHook: {create: false}\n");
    assertThat(all(objects, Secret.class, s -> true)).isEmpty();
  }

  @Test
  void shouldCreateNoRootPasswordSecretAndPointTheOperatorAtAnExistingOne() {
    List<HasMetadata> objects =
        parseWithHooks(
            "rootPassword: {existingSecret: node-root-hash, password: \"ignored-here\"}\n");

    assertThat(all(objects, Secret.class, s -> true))
        .extracting(s -> s.getMetadata().getName())
        .containsExactly(Names.SECRET_DHCP_HOOK);
    assertThat(HelmChart.settings(objects).rootPasswordSecret()).isEqualTo("node-root-hash");
    assertThat(HelmChart.settings(render(null)).rootPasswordSecret())
        .isEqualTo(Names.SECRET_ROOT_PASSWORD);
    assertThatThrownBy(() -> render("rootPassword: {existingSecret: \"Not_A_Name\"}\n"))
        .hasMessageContaining("existingSecret");
  }

  @Test
  void shouldRefuseAnUnboundedOrZeroDiscoveryBoundAndAShortUnbootedRelease() {
    assertThatThrownBy(() -> render("operator: {maxUnclaimedInstalls: 0}\n"))
        .hasMessageContaining("maxUnclaimedInstalls");
    assertThatThrownBy(() -> render("operator: {unbootedRelease: 30s}\n"))
        .hasMessageContaining("unbootedRelease");
  }

  @Test
  void shouldRenderARandomHookTokenAndPasswordWhereNoClusterHoldsThem() {
    List<HasMetadata> objects = parseWithHooks(null);

    Secret token = one(objects, Secret.class, Names.SECRET_DHCP_HOOK);
    Secret password = one(objects, Secret.class, Names.SECRET_ROOT_PASSWORD);
    assertThat(decode(token.getData().get(Names.KEY_TOKEN))).matches("[A-Za-z0-9]{40}");
    assertThat(decode(password.getData().get("password"))).matches("[A-Za-z0-9]{20}");
    for (Secret secret : List.of(token, password)) {
      assertThat(secret.getMetadata().getAnnotations())
          .containsEntry(HelmChart.HOOK_MARKER, "pre-install")
          .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation");
    }
  }

  @Test
  void shouldRenderThePurgeHookOnlyWhenAskedFor() {
    assertThat(all(parseWithHooks(null), Job.class, j -> true)).isEmpty();

    List<HasMetadata> objects = parseWithHooks("purge: true\n");
    Job job = one(objects, Job.class, "pxe-operator-purge");
    PodSpec pod = job.getSpec().getTemplate().getSpec();

    assertThat(job.getMetadata().getAnnotations())
        .containsEntry(HelmChart.HOOK_MARKER, "pre-delete");
    assertThat(pod.getServiceAccountName()).isEqualTo("pxe-operator-purge");
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("delete-custom-resources", "stop-operator", "wait-operator-gone");
    assertThat(pod.getInitContainers().get(0).getArgs())
        .startsWith("delete", "nodeinstalls,provisioningslots", "--all");
    assertThat(pod.getContainers().get(0).getArgs())
        .contains("app.kubernetes.io/managed-by=pxe-operator");
    Role role = one(objects, Role.class, "pxe-operator-purge");
    assertThat(role.getMetadata().getAnnotations())
        .containsEntry(HelmChart.HOOK_MARKER, "pre-delete");
    assertThat(role.getRules())
        .anySatisfy(
            r -> {
              assertThat(r.getResources()).contains("nodeinstalls", "provisioningslots");
              assertThat(r.getVerbs()).contains("delete");
            });
  }

  @Test
  void shouldRefuseATypoInValuesNamingTheKey() {
    assertThatThrownBy(() -> render("netwrok:\n  cidr: 10.0.0.0/8\n"))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("netwrok");
    assertThatThrownBy(() -> render("operator: {claimPolicy: approve}\n"))
        .hasMessageContaining("claimPolicy");
    assertThatThrownBy(() -> render("slots:\n  - address: 10.11.0.300\n"))
        .hasMessageContaining("/slots/0/address");
    assertThatThrownBy(() -> render("slots:\n  - hostname: no-address\n"))
        .hasMessageContaining("address");
    assertThatThrownBy(() -> render("slots:\n  - address: 10.11.0.7\n    hostnme: x\n"))
        .hasMessageContaining("hostnme");
    assertThatThrownBy(() -> render("rootPassword: {password: a, hash: \"$6$b$c\"}\n"))
        .hasMessageContaining("/rootPassword/hash");
    assertThatThrownBy(() -> render("operator: {denyList: [\"not-a-mac\"]}\n"))
        .hasMessageContaining("denyList");
  }

  @Test
  void shouldRefuseAnInstallTimeoutShorterThanOneMinute() {
    for (String tooShort : List.of("0s", "59s", "0m", "59999ms", "PT0M")) {
      assertThatThrownBy(() -> render("operator: {installTimeout: " + tooShort + "}\n"))
          .as(tooShort)
          .hasMessageContaining("installTimeout");
    }
    for (String enough : List.of("1m", "60s", "60000ms", "2h", "PT1H", "PT90M")) {
      assertThat(
              HelmChart.settings(render("operator: {installTimeout: " + enough + "}\n"))
                  .installTimeout())
          .as(enough)
          .isGreaterThanOrEqualTo(OperatorSettings.MIN_INSTALL_TIMEOUT);
    }
  }

  @Test
  void shouldOfferExactlyTheInstallerVersionsTheOperatorKnows() throws java.io.IOException {
    var schema =
        Serialization.jsonMapper()
            .readTree(HelmChart.chartDir().resolve("values.schema.json").toFile());
    List<String> offered = new java.util.ArrayList<>();
    schema
        .at("/properties/operator/properties/installerVersion/enum")
        .forEach(v -> offered.add(v.asText()));

    assertThat(String.join(", ", offered)).isEqualTo(InstallerVersion.labels());
  }

  static List<HasMetadata> parseWithHooks(String values) {
    return HelmChart.parse(HelmChart.templateWithHooks(values));
  }

  static List<ProvisioningSlot> slots(List<HasMetadata> objects) {
    return objects.stream()
        .filter(o -> o.getKind().equals("ProvisioningSlot"))
        .map(o -> Serialization.unmarshal(Serialization.asYaml(o), ProvisioningSlot.class))
        .toList();
  }

  private static String[] labels() {
    return STANDARD_LABELS.toArray(String[]::new);
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  static List<Container> containers(PodSpec pod) {
    return Stream.concat(
            pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream(),
            pod.getContainers().stream())
        .toList();
  }

  private static Map<String, List<String>> capabilitiesByContainer(PodSpec pod) {
    return containers(pod).stream()
        .collect(
            java.util.stream.Collectors.toMap(
                Container::getName,
                c -> {
                  List<String> add = c.getSecurityContext().getCapabilities().getAdd();
                  return add == null ? List.of() : List.copyOf(add);
                }));
  }

  private static Container container(PodSpec pod, String name) {
    return containers(pod).stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name));
  }

  private static String mountPath(Container container, String volume) {
    return container.getVolumeMounts().stream()
        .filter(m -> m.getName().equals(volume))
        .findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " does not mount " + volume))
        .getMountPath();
  }

  private static boolean readOnly(Container container, String volume) {
    return container.getVolumeMounts().stream()
        .anyMatch(m -> m.getName().equals(volume) && Boolean.TRUE.equals(m.getReadOnly()));
  }

  private static io.fabric8.kubernetes.api.model.Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  static <T extends HasMetadata> boolean present(List<HasMetadata> objects, Class<T> t, String n) {
    return find(objects, t, n).isPresent();
  }
}
