package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * The few Kubernetes protobuf request bodies the lab reads, as JSON: client-go's typed clients
 * (Helm's release storage among them) send core/v1 Secrets and ConfigMaps and DeleteOptions that
 * way, and do not fall back to JSON on a 415.
 *
 * <p>The format (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the magic {@code k8s\0},
 * then a runtime.Unknown message (1: typeMeta {1: apiVersion, 2: kind}, 2: raw) whose raw bytes are
 * the object in the field numbers of k8s.io/api/core/v1/generated.proto. Read here: Secret (1:
 * metadata, 2: data, 3: type, 4: stringData, 5: immutable), ConfigMap (1: metadata, 2: data, 3:
 * binaryData, 4: immutable), ObjectMeta's name, generateName, namespace, uid, resourceVersion,
 * labels, annotations and finalizers (1, 2, 3, 5, 6, 11, 12, 14); DeleteOptions' fields are
 * dropped. Other fields and kinds are not read: {@link #toJson} is then empty.
 */
final class ProtobufBody {
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private ProtobufBody() {}

  /** The body as JSON text, or empty when it is not one of the kinds read here. */
  static Optional<String> toJson(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(body, 0, 4, MAGIC, 0, 4)) {
      return Optional.empty();
    }
    try {
      CodedInputStream unknown = CodedInputStream.newInstance(body, 4, body.length - 4);
      String apiVersion = "";
      String kind = "";
      byte[] raw = new byte[0];
      for (int tag = unknown.readTag(); tag != 0; tag = unknown.readTag()) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> {
            CodedInputStream typeMeta = CodedInputStream.newInstance(unknown.readByteArray());
            for (int t = typeMeta.readTag(); t != 0; t = typeMeta.readTag()) {
              switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> apiVersion = typeMeta.readString();
                case 2 -> kind = typeMeta.readString();
                default -> typeMeta.skipField(t);
              }
            }
          }
          case 2 -> raw = unknown.readByteArray();
          default -> unknown.skipField(tag);
        }
      }
      ObjectNode object = Json.object();
      object.put("apiVersion", apiVersion);
      object.put("kind", kind);
      return switch (kind) {
        case "Secret" -> Optional.of(Json.write(secret(object, raw)));
        case "ConfigMap" -> Optional.of(Json.write(configMap(object, raw)));
        case "DeleteOptions" -> Optional.of(Json.write(object));
        default -> Optional.empty();
      };
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static ObjectNode secret(ObjectNode object, byte[] raw) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(raw);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> object.set("metadata", metadata(in.readByteArray()));
        case 2 -> mapEntry(object.withObject("data"), in.readByteArray(), true);
        case 3 -> object.put("type", in.readString());
        case 4 -> mapEntry(object.withObject("stringData"), in.readByteArray(), false);
        case 5 -> object.put("immutable", in.readBool());
        default -> in.skipField(tag);
      }
    }
    return object;
  }

  private static ObjectNode configMap(ObjectNode object, byte[] raw) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(raw);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> object.set("metadata", metadata(in.readByteArray()));
        case 2 -> mapEntry(object.withObject("data"), in.readByteArray(), false);
        case 3 -> mapEntry(object.withObject("binaryData"), in.readByteArray(), true);
        case 4 -> object.put("immutable", in.readBool());
        default -> in.skipField(tag);
      }
    }
    return object;
  }

  private static ObjectNode metadata(byte[] raw) throws IOException {
    ObjectNode metadata = Json.object();
    CodedInputStream in = CodedInputStream.newInstance(raw);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> metadata.put("name", in.readString());
        case 2 -> metadata.put("generateName", in.readString());
        case 3 -> metadata.put("namespace", in.readString());
        case 5 -> metadata.put("uid", in.readString());
        case 6 -> metadata.put("resourceVersion", in.readString());
        case 11 -> mapEntry(metadata.withObject("labels"), in.readByteArray(), false);
        case 12 -> mapEntry(metadata.withObject("annotations"), in.readByteArray(), false);
        case 14 -> {
          ArrayNode finalizers =
              metadata.has("finalizers")
                  ? (ArrayNode) metadata.get("finalizers")
                  : metadata.putArray("finalizers");
          finalizers.add(in.readString());
        }
        default -> in.skipField(tag);
      }
    }
    return metadata;
  }

  /** One map entry (1: key, 2: value); bytes values become base64 as in JSON. */
  private static void mapEntry(ObjectNode map, byte[] raw, boolean bytesValue) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(raw);
    String key = null;
    String value = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> key = in.readString();
        case 2 ->
            value =
                bytesValue
                    ? Base64.getEncoder().encodeToString(in.readByteArray())
                    : in.readString();
        default -> in.skipField(tag);
      }
    }
    if (key == null) {
      throw new InvalidProtocolBufferException("map entry without a key");
    }
    map.put(key, value);
  }
}
