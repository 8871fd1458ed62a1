package lan.homelab.pxe.chart;

import static lan.homelab.pxe.chart.HelmChart.all;
import static lan.homelab.pxe.chart.HelmChart.one;
import static lan.homelab.pxe.chart.HelmChart.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The values a k3s admin expects of a chart: placement (nodeSelector, tolerations, affinity,
 * priorityClassName), pull secrets, pod labels and annotations, images pinned by digest, and an
 * optional NetworkPolicy for the operator.
 */
class ChartAdminValuesTest {
  private static final String DIGEST =
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  private static final String PLACEMENT =
      """
      imagePullSecrets: [{name: regcred}]
      operator:
        nodeSelector: {node-role.kubernetes.io/control-plane: "true"}
        tolerations:
          - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
                - matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]
        priorityClassName: system-cluster-critical
        podLabels: {team: homelab, app.kubernetes.io/component: not-the-chart}
        podAnnotations: {prometheus.io/scrape: "true", checksum/settings: forged}
      boot:
        nodeSelector: {lan: vmbr0, kubernetes.io/hostname: some-other-node}
        tolerations:
          - {key: dedicated, operator: Equal, value: lan, effect: NoExecute, tolerationSeconds: 30}
        priorityClassName: system-node-critical
        podLabels: {team: homelab}
        podAnnotations: {backup.velero.io/backup-volumes: ""}
      """;

  private static PodTemplateSpec pod(List<HasMetadata> objects, String deployment) {
    return one(objects, Deployment.class, deployment).getSpec().getTemplate();
  }

  @Test
  void shouldPlaceTheOperatorAsTheAdminSays() {
    PodTemplateSpec operator = pod(render(PLACEMENT), "pxe-operator");

    assertThat(operator.getSpec().getNodeSelector())
        .containsExactly(java.util.Map.entry("node-role.kubernetes.io/control-plane", "true"));
    assertThat(operator.getSpec().getTolerations())
        .extracting(Toleration::getKey, Toleration::getOperator, Toleration::getEffect)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "node-role.kubernetes.io/control-plane", "Exists", "NoSchedule"));
    assertThat(
            operator
                .getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms())
        .hasSize(1);
    assertThat(operator.getSpec().getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(operator.getSpec().getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("regcred");
  }

  @Test
  void shouldAddPodLabelsAndAnnotationsWithoutLettingThemReplaceTheChartsOwn() {
    List<HasMetadata> objects = render(PLACEMENT);
    PodTemplateSpec operator = pod(objects, "pxe-operator");
    PodTemplateSpec defaults = pod(render(null), "pxe-operator");

    assertThat(operator.getMetadata().getLabels())
        .containsEntry("team", "homelab")
        .containsEntry("app.kubernetes.io/component", "operator");
    assertThat(operator.getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry(
            "checksum/settings", defaults.getMetadata().getAnnotations().get("checksum/settings"));
    assertThat(operator.getMetadata().getLabels())
        .containsAllEntriesOf(
            one(objects, Deployment.class, "pxe-operator")
                .getSpec()
                .getSelector()
                .getMatchLabels());
    PodTemplateSpec boot = pod(objects, "pxe-boot");
    assertThat(boot.getMetadata().getLabels()).containsEntry("team", "homelab");
    assertThat(boot.getMetadata().getAnnotations())
        .containsEntry("backup.velero.io/backup-volumes", "");
  }

  @Test
  void shouldKeepTheBootPodOnItsNodeAndAddWhatTheAdminAsks() {
    PodTemplateSpec boot = pod(render(PLACEMENT), "pxe-boot");

    assertThat(boot.getSpec().getNodeSelector())
        .containsEntry("kubernetes.io/hostname", "rainbow-road")
        .containsEntry("lan", "vmbr0")
        .hasSize(2);
    assertThat(boot.getSpec().getTolerations())
        .extracting(Toleration::getKey, Toleration::getValue, Toleration::getTolerationSeconds)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("dedicated", "lan", 30L));
    assertThat(boot.getSpec().getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(boot.getSpec().getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("regcred");
    assertThat(boot.getSpec().getHostNetwork()).isTrue();
  }

  @Test
  void shouldRenderNoPlacementFieldsByDefault() {
    List<HasMetadata> objects = render(null);
    PodTemplateSpec operator = pod(objects, "pxe-operator");
    PodTemplateSpec boot = pod(objects, "pxe-boot");

    assertThat(operator.getSpec().getNodeSelector()).isNullOrEmpty();
    assertThat(boot.getSpec().getNodeSelector())
        .containsExactly(java.util.Map.entry("kubernetes.io/hostname", "rainbow-road"));
    for (PodTemplateSpec pod : List.of(operator, boot)) {
      assertThat(pod.getSpec().getTolerations()).isNullOrEmpty();
      assertThat(pod.getSpec().getAffinity()).isNull();
      assertThat(pod.getSpec().getPriorityClassName()).isNull();
      assertThat(pod.getSpec().getImagePullSecrets()).isNullOrEmpty();
    }
  }

  @Test
  void shouldPinEveryImageByDigestOverItsTag() {
    List<HasMetadata> objects =
        HelmChart.parse(
            HelmChart.templateWithHooks(
                "purge: true\nimagePullSecrets: [{name: regcred}]\nimages:\n"
                    + Stream.of("operator", "dnsmasq", "nginx", "kubectl")
                        .map(i -> "  " + i + ": {digest: \"" + DIGEST + "\"}\n")
                        .reduce("", String::concat)));

    List<Container> containers =
        Stream.concat(
                all(objects, Deployment.class, d -> true).stream()
                    .map(d -> d.getSpec().getTemplate().getSpec()),
                all(objects, Job.class, j -> true).stream()
                    .map(j -> j.getSpec().getTemplate().getSpec()))
            .flatMap(p -> Stream.concat(p.getInitContainers().stream(), p.getContainers().stream()))
            .toList();
    assertThat(containers).extracting(Container::getImage).hasSizeGreaterThan(4);
    assertThat(containers)
        .extracting(Container::getImage)
        .allSatisfy(image -> assertThat(image).endsWith("@" + DIGEST).doesNotContain(":v"))
        .contains(
            "pxe-operator@" + DIGEST,
            "quay.io/poseidon/dnsmasq@" + DIGEST,
            "docker.io/library/nginx@" + DIGEST,
            "registry.k8s.io/kubectl@" + DIGEST);
    assertThat(
            one(objects, Job.class, "pxe-operator-purge")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("regcred");
    assertThat(pod(render(null), "pxe-operator").getSpec().getContainers().get(0).getImage())
        .isEqualTo("pxe-operator:0.1.0-SNAPSHOT");
  }

  @Test
  void shouldRenderTheOperatorsNetworkPolicyOnlyWhenAskedFor() {
    assertThat(all(render(null), NetworkPolicy.class, p -> true)).isEmpty();

    List<HasMetadata> objects =
        render(
            """
            operator:
              networkPolicy: {enabled: true, extraIngressCidrs: [10.42.1.0/24, 10.43.0.0/16]}
            """);
    NetworkPolicy policy = one(objects, NetworkPolicy.class, "pxe-operator");

    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(
            one(objects, Deployment.class, "pxe-operator")
                .getSpec()
                .getSelector()
                .getMatchLabels());
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(policy.getSpec().getIngress()).hasSize(1);
    assertThat(policy.getSpec().getIngress().get(0).getFrom())
        .extracting(NetworkPolicyPeer::getIpBlock)
        .extracting(b -> b.getCidr())
        .containsExactly("10.11.0.1/32", "10.42.1.0/24", "10.43.0.0/16");
    assertThat(policy.getSpec().getIngress().get(0).getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort().getIntVal()).isEqualTo(8081);
              assertThat(p.getProtocol()).isEqualTo("TCP");
            });
  }

  @Test
  void shouldRefuseMistypedPlacementDigestsAndCidrs() {
    assertThatThrownBy(() -> render("operator: {tolerations: [{key: a, operater: Exists}]}\n"))
        .hasMessageContaining("operater");
    assertThatThrownBy(() -> render("boot: {tolerations: [{key: a, effect: NoScheduled}]}\n"))
        .hasMessageContaining("effect");
    assertThatThrownBy(() -> render("operator: {affinity: {nodeAfinity: {}}}\n"))
        .hasMessageContaining("nodeAfinity");
    assertThatThrownBy(() -> render("images: {nginx: {digest: \"sha256:abc\"}}\n"))
        .hasMessageContaining("digest");
    assertThatThrownBy(() -> render("imagePullSecrets: [regcred]\n"))
        .hasMessageContaining("imagePullSecrets");
    assertThatThrownBy(
            () ->
                render(
                    "operator: {networkPolicy: {enabled: true, extraIngressCidrs: [10.42.1.0]}}\n"))
        .hasMessageContaining("extraIngressCidrs");
    assertThatThrownBy(() -> render("boot: {podLabels: {team: 42}}\n"))
        .hasMessageContaining("podLabels");
  }
}
