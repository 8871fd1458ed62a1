package lan.homelab.pxe.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.sync.AtomicFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NginxBenchTest {
  static final String TOKEN = "nginx-bench-test-token-0123456789";

  @TempDir Path dir;
  HttpServer operator;
  final List<String> notified = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startOperatorStandIn() throws Exception {
    NetworkBenchPrerequisites.require(NginxBench.missingPrerequisites());
    Files.setPosixFilePermissions(dir, AtomicFiles.DIR);
    operator = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    operator.createContext(
        "/v1/notify/answer-served",
        ex -> {
          notified.add(
              ex.getRequestHeaders().getFirst(Names.HEADER_HOOK_TOKEN)
                  + " "
                  + ex.getRequestHeaders().getFirst("X-Real-IP")
                  + " "
                  + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          ex.sendResponseHeaders(404, -1);
          ex.close();
        });
    operator.start();
  }

  @AfterEach
  void stopOperatorStandIn() {
    if (operator != null) {
      operator.stop(0);
    }
  }

  @Test
  void shouldTimeAnswerPostsThroughTheRenderedNginxConfAndMirrorEachToTheOperator()
      throws Exception {
    String operatorUrl = "http://127.0.0.1:" + operator.getAddress().getPort();
    byte[] body = "{\"network_interfaces\":[{\"mac\":\"52:54:00:BE:00:01\"}]}".getBytes();

    try (NginxBench nginx = new NginxBench(dir, operatorUrl, TOKEN, 1 << 20)) {
      NginxBench.Load post = nginx.load(nginx.answerPost(body), 12, 3);
      NginxBench.Load get = nginx.load(nginx.staticGet(), 12, 3);

      assertThat(post.requests()).isEqualTo(12);
      assertThat(get.requests()).isEqualTo(12);
      assertThat(post.perSecond()).isPositive();
      assertThat(post.p99Millis()).isGreaterThanOrEqualTo(post.p50Millis()).isPositive();
      await().atMost(Duration.ofSeconds(10)).until(() -> notified.size() >= 12);
      assertThat(notified).hasSize(12).allMatch(n -> n.startsWith(TOKEN + " 127.0.0.1 {"));
      assertThat(nginx.assetMibPerSecond(1)).isPositive();
      assertThat(nginx.fileMibPerSecond(1)).isPositive();
    }
  }
}
