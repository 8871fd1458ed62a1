package lan.homelab.pxe.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * manifests/ is exactly the chart rendered with its defaults; -Dpxe.regenerateManifests=true
 * rewrites it.
 */
class ManifestsInSyncTest {

  @Test
  void shouldMatchTheChartRenderedWithDefaults() throws Exception {
    Map<String, String> expected = Manifests.render();
    if (Boolean.getBoolean("pxe.regenerateManifests")) {
      Manifests.write(expected);
    }

    assertThat(Manifests.existing())
        .as("files in manifests/; regenerate with: %s", Manifests.REGENERATE)
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (var file : expected.entrySet()) {
      assertThat(Files.readString(Manifests.dir().resolve(file.getKey())))
          .as(
              "manifests/%s is out of date; regenerate with: %s",
              file.getKey(), Manifests.REGENERATE)
          .isEqualTo(file.getValue());
    }
  }

  @Test
  void shouldSplitTheSlotsAndTheAnswerTemplateIntoExamplesWithoutGeneratedSecrets()
      throws Exception {
    Map<String, String> files = Manifests.render();

    List<HasMetadata> main = HelmChart.parse(files.get(Manifests.MAIN));
    assertThat(main).extracting(HasMetadata::getKind).contains("Namespace", "Deployment", "Role");
    assertThat(main).extracting(HasMetadata::getKind).doesNotContain("Secret", "ProvisioningSlot");
    assertThat(main)
        .extracting(o -> o.getMetadata().getName())
        .doesNotContain("pxe-answer-template");
    assertThat(ChartTest.slots(HelmChart.parse(files.get(Manifests.SLOTS))))
        .extracting(s -> s.getSpec().getAddress())
        .containsExactly("10.11.0.2", "10.11.0.3", "10.11.0.4", "10.11.0.5", "10.11.0.6");
    assertThat(HelmChart.parse(files.get(Manifests.ANSWER_TEMPLATE)))
        .extracting(o -> o.getMetadata().getName())
        .containsExactly("pxe-answer-template");
    assertThat(files).containsKeys("crds/nodeinstalls.pxe.homelab.lan-v1.yml");
  }
}
