package lan.homelab.pxe.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import lan.homelab.pxe.api.v1alpha1.DiskInfo;
import lan.homelab.pxe.api.v1alpha1.InstallInventory;
import lan.homelab.pxe.api.v1alpha1.NicInfo;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.install.WebhookReport;

/**
 * Reads the Proxmox installer's post-installation webhook body (schema 1.0 to 1.2, kebab-case keys;
 * see proxmox-installer.md section 3.2) into a {@link WebhookReport}. Tolerant of fields it does
 * not know; strict about JSON types and the schema's major version. MACs are compared in normal
 * form, so upper and lower case both match. What the installer could not gather (9.2.5+ sends the
 * placeholders {@code "unknown"}, {@code 0} and empty lists instead of failing) is stored as
 * absent.
 */
final class WebhookPayload {
  private static final int MAX_TEXT = 4096;

  /** The installer's placeholder for a string it could not gather (9.2.5+). */
  static final String UNKNOWN = "unknown";

  private WebhookPayload() {}

  static WebhookReport parse(byte[] body) {
    JsonNode json = Json.object(body);
    JsonNode schema = Json.obj(json, "$schema", "");
    String version = schema == null ? null : Json.text(schema, "version", "$schema.");
    if (version != null && !version.matches("1\\.[0-9]+")) {
      throw HttpError.badRequest("unsupported webhook schema version " + clip(version, 20));
    }
    JsonNode nics = Json.array(json, "network-interfaces", "");
    if (nics == null) {
      throw HttpError.badRequest("missing field network-interfaces");
    }

    InstallInventory inv = new InstallInventory();
    inv.setFqdn(text(json, "fqdn", ""));
    inv.setDebianVersion(text(json, "debian-version", ""));
    inv.setMachineId(text(json, "machine-id", ""));
    inv.setFilesystem(text(json, "filesystem", ""));
    JsonNode product = Json.obj(json, "product", "");
    if (product != null) {
      inv.setProductVersion(text(product, "version", "product."));
    }
    JsonNode iso = Json.obj(json, "iso", "");
    if (iso != null) {
      String release = text(iso, "release", "iso.");
      String isoRelease = text(iso, "isorelease", "iso.");
      inv.setIsoRelease(
          release == null ? null : isoRelease == null ? release : release + "-" + isoRelease);
    }
    JsonNode kernel = Json.obj(json, "kernel-version", "");
    if (kernel != null) {
      inv.setKernelRelease(text(kernel, "release", "kernel-version."));
    }
    JsonNode boot = Json.obj(json, "boot-info", "");
    if (boot != null) {
      inv.setBootMode(text(boot, "mode", "boot-info."));
      Boolean secureBoot = Json.bool(boot, "secureboot", "boot-info.");
      inv.setSecureBoot(secureBoot != null && secureBoot);
    }
    JsonNode cpu = Json.obj(json, "cpu-info", "");
    if (cpu != null) {
      inv.setCpuModel(text(cpu, "model", "cpu-info."));
      inv.setCpuCores(count(Json.smallInteger(cpu, "cores", "cpu-info.")));
      inv.setCpuSockets(count(Json.smallInteger(cpu, "sockets", "cpu-info.")));
      inv.setCpus(count(Json.smallInteger(cpu, "cpus", "cpu-info.")));
    }
    JsonNode dmi = Json.obj(json, "dmi", "");
    JsonNode system = dmi == null ? null : Json.obj(dmi, "system", "dmi.");
    if (system != null) {
      inv.setSystemSerial(text(system, "serial", "dmi.system."));
      inv.setSystemUuid(text(system, "uuid", "dmi.system."));
    }
    inv.setDisks(disks(Json.array(json, "disks", "")));

    List<Mac> macs = new ArrayList<>();
    List<NicInfo> nicInfos = new ArrayList<>();
    for (int i = 0; i < nics.size(); i++) {
      String path = "network-interfaces[" + i + "].";
      JsonNode nic = nics.get(i);
      if (!nic.isObject()) {
        throw HttpError.badRequest(path.substring(0, path.length() - 1) + " must be an object");
      }
      String macText = text(nic, "mac", path);
      NicInfo info = new NicInfo();
      info.setName(text(nic, "name", path));
      if (macText != null) {
        var mac = Mac.tryParse(macText);
        mac.ifPresent(macs::add);
        info.setMac(mac.map(Mac::value).orElse(macText.toLowerCase(Locale.ROOT)));
      }
      info.setAddress(text(nic, "address", path));
      Boolean management = Json.bool(nic, "is-management", path);
      info.setManagement(management != null && management);
      nicInfos.add(info);
    }
    inv.setNics(nicInfos);

    JsonNode keys = Json.obj(json, "ssh-public-host-keys", "");
    if (keys != null) {
      Map<String, String> hostKeys = new LinkedHashMap<>();
      for (String type : List.of("ecdsa", "ed25519", "rsa")) {
        String key = text(keys, type, "ssh-public-host-keys.");
        if (key != null && !key.isBlank()) {
          hostKeys.put(type, key.strip());
        }
      }
      inv.setSshHostKeys(hostKeys.isEmpty() ? null : hostKeys);
    }
    return new WebhookReport(List.copyOf(macs), Json.text(json, "token", ""), inv);
  }

  private static List<DiskInfo> disks(JsonNode disks) {
    if (disks == null || disks.isEmpty()) {
      return null;
    }
    List<DiskInfo> result = new ArrayList<>();
    for (int i = 0; i < disks.size(); i++) {
      String path = "disks[" + i + "].";
      JsonNode disk = disks.get(i);
      if (!disk.isObject()) {
        throw HttpError.badRequest("disks[" + i + "] must be an object");
      }
      DiskInfo info = new DiskInfo();
      Long size = Json.integer(disk, "size", path);
      info.setSizeBytes(size == null || size == 0 ? null : size);
      Boolean bootDisk = Json.bool(disk, "is-bootdisk", path);
      info.setBootDisk(bootDisk != null && bootDisk);
      JsonNode udev = Json.obj(disk, "udev-properties", path);
      if (udev != null) {
        info.setDevice(text(udev, "DEVNAME", path + "udev-properties."));
        info.setSerial(text(udev, "ID_SERIAL_SHORT", path + "udev-properties."));
      }
      result.add(info);
    }
    return result;
  }

  /**
   * A string field, trimmed and capped (the installer's own data, not to be trusted in size); null
   * when absent, empty or the placeholder {@value #UNKNOWN}.
   */
  private static String text(JsonNode parent, String field, String path) {
    String value = Json.text(parent, field, path);
    if (value == null || value.isBlank() || value.strip().equals(UNKNOWN)) {
      return null;
    }
    return clip(value.strip(), MAX_TEXT);
  }

  /** A count the installer could not gather arrives as 0: absent. */
  private static Integer count(Integer value) {
    return value == null || value == 0 ? null : value;
  }

  private static String clip(String text, int max) {
    return text.length() > max ? text.substring(0, max) : text;
  }
}
