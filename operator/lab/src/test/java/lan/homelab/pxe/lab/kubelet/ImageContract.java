package lan.homelab.pxe.lab.kubelet;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lan.homelab.pxe.chart.HelmChart;

/**
 * What each image of the chart provides, as {@code helm/pxe-operator/ci/image-contract.yaml}
 * declares it: the only source of image facts for the {@link KubeletStandIn}.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
record ImageContract(List<Image> images) {
  static final Path FILE = HelmChart.chartDir().resolve("ci/image-contract.yaml");

  /** One image: entrypoint and cmd as its build sets them, what its containers may use. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  record Image(
      String repository,
      List<String> entrypoint,
      List<String> cmd,
      List<String> commands,
      Map<String, Integer> users,
      Map<String, Integer> groups,
      List<String> files,
      Map<String, String> links,
      String user,
      String base) {
    Image {
      cmd = cmd == null ? List.of() : List.copyOf(cmd);
      commands = commands == null ? List.of() : List.copyOf(commands);
      users = users == null ? Map.of() : Map.copyOf(users);
      groups = groups == null ? Map.of() : Map.copyOf(groups);
      files = files == null ? List.of() : List.copyOf(files);
      links = links == null ? Map.of() : Map.copyOf(links);
    }

    /** The uid the image runs as when the pod names none ({@code user: "uid:gid"}), else 0. */
    long defaultUid() {
      return user == null ? 0 : Long.parseLong(user.split(":")[0]);
    }

    long defaultGid() {
      return user == null ? 0 : Long.parseLong(user.split(":")[1]);
    }

    /** Alpine images: busybox's applets are their shell tools. */
    boolean alpine() {
      return "alpine".equals(base);
    }
  }

  static ImageContract load() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readValue(FILE.toFile(), ImageContract.class);
  }

  /** The image a pod spec names ({@code repository:tag} or {@code repository@digest}). */
  Image of(String imageReference) {
    String repository = imageReference.replaceAll("@.*$", "").replaceAll(":[^:/]+$", "");
    return images.stream()
        .filter(i -> i.repository().equals(repository))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    imageReference + " is not declared in " + FILE + ": declare what it provides"));
  }
}
