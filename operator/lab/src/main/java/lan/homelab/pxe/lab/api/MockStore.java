package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * fabric8's mock store ({@link KubernetesCrudDispatcher}) called in-process, plus what the front
 * reads from it: the stored CRDs and the resource types they make.
 */
final class MockStore {
  static final String CRDS_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  private final KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher();

  /** Creates a CRD from a YAML classpath resource. */
  void createCrd(String resource) throws IOException {
    try (InputStream in = MockStore.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CRD " + resource + " is not on the classpath");
      }
      JsonNode crd = Json.parseYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      MockResponse created = dispatch(HttpMethod.POST, CRDS_PATH, null, Json.write(crd));
      if (created.code() != 201) {
        throw new IllegalStateException("creating CRD " + resource + ": HTTP " + created.code());
      }
    }
  }

  /** The stored CRDs. */
  List<JsonNode> crds() {
    JsonNode list = Json.parse(body(dispatch(HttpMethod.GET, CRDS_PATH, null, "")));
    List<JsonNode> crds = new ArrayList<>();
    list.path("items").forEach(crds::add);
    return crds;
  }

  /** Every resource type the front advertises: built-in ones and the CRDs' versions. */
  List<Discovery.Resource> resources() {
    List<Discovery.Resource> all = new ArrayList<>(Discovery.BUILT_IN);
    all.addAll(Discovery.fromCrds(crds()));
    return all;
  }

  /** The kind of the resource a path names, if advertised. */
  Optional<String> kind(ResourcePath path) {
    return resources().stream()
        .filter(
            r ->
                r.group().equals(path.group())
                    && r.version().equals(path.version())
                    && r.plural().equals(path.plural()))
        .map(Discovery.Resource::kind)
        .findFirst();
  }

  /** One request to the store. */
  MockResponse dispatch(HttpMethod method, String pathAndQuery, String contentType, String body) {
    return dispatcher.dispatch(request(method, pathAndQuery, contentType, body));
  }

  /** Hands an already built request (a watch) to the store. */
  MockResponse dispatch(RecordedRequest request) {
    return dispatcher.dispatch(request);
  }

  static RecordedRequest request(
      HttpMethod method, String pathAndQuery, String contentType, String body) {
    Headers.Builder headers = Headers.builder();
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    return new RecordedRequest(
        "HTTP/1.1",
        method,
        pathAndQuery,
        headers.build(),
        new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }

  /** The body of a store answer as text ("" when none). */
  static String body(MockResponse response) {
    Buffer body = response.getBody();
    return body == null ? "" : new String(body.getBytes(), StandardCharsets.UTF_8);
  }
}
