package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request to the front as received (query decoded, body read), and how answers go out. A
 * protobuf body of a kind {@link ProtobufBody} reads arrives here as its JSON, with content type
 * {@code application/json}; any other protobuf body is empty and keeps its content type.
 */
record ApiCall(
    String method,
    String path,
    String rawQuery,
    Map<String, String> params,
    Headers headers,
    String contentType,
    String body) {

  String header(String name) {
    return headers.getFirst(name);
  }

  String param(String name) {
    return params.get(name);
  }

  boolean isWatch() {
    return method.equals("GET") && ("true".equals(param("watch")) || "1".equals(param("watch")));
  }

  /** A WebSocket handshake (an {@code Upgrade: h2c} from the JDK client is not one). */
  boolean isWebSocketHandshake() {
    return "websocket".equalsIgnoreCase(header("Upgrade"));
  }

  boolean wantsTable() {
    String accept = header("Accept");
    return accept != null && accept.contains("as=Table");
  }

  /** The query without the parameters the front evaluates itself. */
  String queryForStore() {
    if (rawQuery == null) {
      return "";
    }
    List<String> kept = new ArrayList<>();
    for (String part : rawQuery.split("&")) {
      if (!part.startsWith("fieldSelector=")) {
        kept.add(part);
      }
    }
    return kept.isEmpty() ? "" : "?" + String.join("&", kept);
  }

  /** Reads the whole request. */
  static ApiCall read(HttpExchange exchange) throws IOException {
    String rawQuery = exchange.getRequestURI().getRawQuery();
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery != null) {
      for (String part : rawQuery.split("&")) {
        int eq = part.indexOf('=');
        String key = eq < 0 ? part : part.substring(0, eq);
        String value = eq < 0 ? "" : part.substring(eq + 1);
        params.put(
            URLDecoder.decode(key, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    byte[] bytes = exchange.getRequestBody().readAllBytes();
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    String body = new String(bytes, StandardCharsets.UTF_8);
    if (contentType != null && contentType.contains("protobuf")) {
      Optional<String> json = ProtobufBody.toJson(bytes);
      body = json.orElse("");
      contentType = json.isPresent() ? "application/json" : contentType;
    }
    return new ApiCall(
        exchange.getRequestMethod().toUpperCase(Locale.ROOT),
        exchange.getRequestURI().getRawPath(),
        rawQuery,
        params,
        exchange.getRequestHeaders(),
        contentType,
        body);
  }

  /** One answer that is not a watch. */
  record Reply(int code, String contentType, byte[] body) {
    static Reply json(int code, JsonNode body) {
      return new Reply(code, "application/json", Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    static Reply status(int code, String reason, String message) {
      return json(code, Json.status(code, reason, message));
    }
  }

  /** Sends a whole answer. */
  static void send(HttpExchange exchange, Reply reply) throws IOException {
    if (reply.contentType() != null) {
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
    }
    byte[] body = reply.body();
    exchange.sendResponseHeaders(reply.code(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }
}
