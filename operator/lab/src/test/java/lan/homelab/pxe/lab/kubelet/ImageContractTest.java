package lan.homelab.pxe.lab.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import lan.homelab.pxe.chart.HelmChart;
import org.junit.jupiter.api.Test;

/** The image contract is the one place image facts live: it covers the chart and the build. */
class ImageContractTest {
  @Test
  void shouldDeclareEveryImageTheChartsPodsRun() throws IOException {
    ImageContract contract = ImageContract.load();
    List<HasMetadata> objects =
        HelmChart.parse(HelmChart.templateWithHooks("tls: {enabled: true}\npurge: true\n"));
    List<io.fabric8.kubernetes.api.model.PodTemplateSpec> pods = new ArrayList<>();
    HelmChart.all(objects, Deployment.class, x -> true)
        .forEach(d -> pods.add(d.getSpec().getTemplate()));
    HelmChart.all(objects, Job.class, x -> true).forEach(j -> pods.add(j.getSpec().getTemplate()));

    assertThat(pods).hasSizeGreaterThanOrEqualTo(3);
    for (var pod : pods) {
      var spec = pod.getSpec();
      for (Container c :
          Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream())
              .toList()) {
        ImageContract.Image image = contract.of(c.getImage());
        List<String> command = c.getCommand().isEmpty() ? image.entrypoint() : c.getCommand();
        assertThat(command.get(0))
            .as(c.getName() + " runs a program its image has")
            .satisfiesAnyOf(
                p -> assertThat(p).startsWith("/"), p -> assertThat(image.commands()).contains(p));
      }
    }
  }

  @Test
  void shouldStartTheOperatorWithTheJvmFlagsJibPutsIntoTheImage() throws IOException {
    String pom = Files.readString(HelmChart.repoRoot().resolve("operator/pom.xml"));
    Matcher flag = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>").matcher(pom);
    List<String> jib = new ArrayList<>();
    while (flag.find()) {
      jib.add(flag.group(1));
    }
    List<String> entrypoint = ImageContract.load().of("pxe-operator:any").entrypoint();

    assertThat(jib).isNotEmpty();
    assertThat(entrypoint.subList(1, 1 + jib.size())).containsExactlyElementsOf(jib);
    assertThat(entrypoint.subList(1 + jib.size(), entrypoint.size()))
        .containsExactly(
            "-cp", "@/app/jib-classpath-file", "lan.homelab.pxe.cli.PxeOperatorCommand");
  }
}
