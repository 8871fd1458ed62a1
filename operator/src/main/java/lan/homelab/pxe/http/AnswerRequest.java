package lan.homelab.pxe.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import lan.homelab.pxe.api.v1alpha1.AnswerRequestFacts;
import lan.homelab.pxe.claim.Mac;

/**
 * Reads the body the Proxmox installer posts when it fetches its answer ({@code AnswerFetchData},
 * proxmox-installer.md section 2.4; snake_case inside, MACs lower case up to 9.1 and upper case
 * from 9.2) into {@link AnswerRequestFacts} with MACs in normal (lower-case) form.
 */
final class AnswerRequest {
  private AnswerRequest() {}

  static AnswerRequestFacts parse(byte[] body) {
    JsonNode json = Json.object(body);
    AnswerRequestFacts facts = new AnswerRequestFacts();
    JsonNode product = Json.obj(json, "product", "");
    if (product != null) {
      facts.setProduct(clip(Json.text(product, "product", "product.")));
    }
    JsonNode iso = Json.obj(json, "iso", "");
    if (iso != null) {
      String release = clip(Json.text(iso, "release", "iso."));
      String isoRelease = clip(Json.text(iso, "isorelease", "iso."));
      facts.setIsoRelease(
          release == null ? null : isoRelease == null ? release : release + "-" + isoRelease);
    }
    JsonNode dmi = Json.obj(json, "dmi", "");
    JsonNode system = dmi == null ? null : Json.obj(dmi, "system", "dmi.");
    if (system != null) {
      facts.setSystemSerial(clip(Json.text(system, "serial", "dmi.system.")));
      facts.setSystemUuid(clip(Json.text(system, "uuid", "dmi.system.")));
    }
    JsonNode nics = Json.array(json, "network_interfaces", "");
    if (nics == null) {
      throw HttpError.badRequest("missing field network_interfaces");
    }
    List<String> macs = new ArrayList<>();
    for (int i = 0; i < nics.size(); i++) {
      JsonNode nic = nics.get(i);
      if (!nic.isObject()) {
        throw HttpError.badRequest("network_interfaces[" + i + "] must be an object");
      }
      String mac = Json.text(nic, "mac", "network_interfaces[" + i + "].");
      Mac.tryParse(mac).map(Mac::value).ifPresent(macs::add);
    }
    facts.setMacs(macs);
    return facts;
  }

  private static String clip(String text) {
    return text == null ? null : text.length() > 256 ? text.substring(0, 256) : text.strip();
  }
}
