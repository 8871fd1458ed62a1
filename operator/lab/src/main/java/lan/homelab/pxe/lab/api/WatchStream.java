package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One HTTP watch: the mock store's watch listener writes into it as if it were a WebSocket; each
 * event goes out as one JSON line of a chunked response, after {@code transform} (which may drop it
 * by returning null). Ends on {@link #close}, a failed write or the timeout.
 */
final class WatchStream implements WebSocket {
  private final RecordedRequest request;
  private final OutputStream out;
  private final UnaryOperator<JsonNode> transform;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final List<JsonNode> held = new ArrayList<>();
  private boolean begun;
  private boolean closed;

  WatchStream(RecordedRequest request, OutputStream out, UnaryOperator<JsonNode> transform) {
    this.request = request;
    this.out = out;
    this.transform = transform;
  }

  @Override
  public RecordedRequest request() {
    return request;
  }

  @Override
  public synchronized boolean send(String text) {
    if (closed) {
      return false;
    }
    JsonNode event = transform.apply(Json.parse(text));
    if (event == null) {
      return true;
    }
    if (!begun) {
      held.add(event);
      return true;
    }
    return write(event);
  }

  /**
   * Runs {@code sendHeaders} and flushes them (a client counts the watch as established once it has
   * the response headers, as a real API server sends them at once, events or not), then writes what
   * was held back; later events go out directly.
   */
  synchronized void begin(HeaderSender sendHeaders, JsonNode first) throws IOException {
    sendHeaders.send();
    out.flush();
    begun = true;
    if (first != null && !write(first)) {
      return;
    }
    for (JsonNode event : held) {
      if (!write(event)) {
        break;
      }
    }
    held.clear();
  }

  /** Sends the response status line and headers. */
  interface HeaderSender {
    void send() throws IOException;
  }

  private boolean write(JsonNode event) {
    try {
      out.write((Json.write(event) + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return true;
    } catch (IOException e) {
      close(1001, "client gone");
      return false;
    }
  }

  @Override
  public boolean send(byte[] bytes) {
    return send(new String(bytes, StandardCharsets.UTF_8));
  }

  @Override
  public synchronized boolean close(int code, String reason) {
    closed = true;
    ended.countDown();
    return true;
  }

  /** Blocks until the stream ends or {@code timeout} passes; true when it ended. */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
