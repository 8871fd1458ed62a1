package lan.homelab.pxe.lab.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PatchTranslatorTest {
  @Test
  void shouldMergeObjectsRemoveNullsAndReplaceListsAsRfc7386Says() {
    var target =
        Json.parse("{\"a\":{\"x\":1,\"y\":2},\"l\":[1,2],\"m\":{\"k\":\"v\",\"j\":\"w\"}}");
    var patch = Json.parse("{\"a\":{\"x\":5},\"l\":[3],\"m\":{\"k\":null},\"n\":true}");

    assertThat(PatchTranslator.mergePatch(target, patch))
        .isEqualTo(
            Json.parse("{\"a\":{\"x\":5,\"y\":2},\"l\":[3],\"m\":{\"j\":\"w\"},\"n\":true}"));
  }

  @Test
  void shouldExpressTheMergeAsAJsonPatchAgainstTheCurrentObject() {
    var current = Json.parse("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}");
    var jsonPatch =
        PatchTranslator.toJsonPatch(
            current, Json.parse("{\"metadata\":{\"labels\":{\"b\":null}}}"));

    assertThat(Json.write(jsonPatch)).contains("\"op\":\"remove\"").contains("/metadata/labels/b");
  }

  @Test
  void shouldDropStrategicMergeDirectives() {
    var patch =
        PatchTranslator.patchDocument(
            "application/strategic-merge-patch+json",
            "{\"$retainKeys\":[\"a\"],\"data\":{\"k\":\"v\"},\"spec\":{\"$setElementOrder/x\":[]}}");

    assertThat(patch).isEqualTo(Json.parse("{\"data\":{\"k\":\"v\"},\"spec\":{}}"));
  }

  @Test
  void shouldReadServerSideApplyBodiesAsYaml() {
    var patch =
        PatchTranslator.patchDocument(
            "application/apply-patch+yaml; charset=utf-8", "spec:\n  address: 10.11.0.2\n");

    assertThat(patch).isEqualTo(Json.parse("{\"spec\":{\"address\":\"10.11.0.2\"}}"));
    assertThat(PatchTranslator.translates("application/json-patch+json")).isFalse();
  }

  @Test
  void shouldRefuseAPatchThatIsNotAnObject() {
    assertThatThrownBy(() -> PatchTranslator.patchDocument("application/merge-patch+json", "[1]"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
