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

/** One request to the front as received (query decoded, body read), and how answers go out. */
record ApiCall(
    String method,
    String path,
    String rawQuery,
    Map<String, String> params,
    Headers headers,
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
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    return new ApiCall(
        exchange.getRequestMethod().toUpperCase(Locale.ROOT),
        exchange.getRequestURI().getRawPath(),
        rawQuery,
        params,
        exchange.getRequestHeaders(),
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
