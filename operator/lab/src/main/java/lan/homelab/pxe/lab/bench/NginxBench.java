package lan.homelab.pxe.lab.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.lab.net.NetLab;
import lan.homelab.pxe.render.BootDir;
import lan.homelab.pxe.render.NginxConfRenderer;
import lan.homelab.pxe.sync.AtomicFiles;

/**
 * A real nginx running the project's rendered nginx.conf from a boot directory of its own, bound to
 * 127.0.0.1 on a free port (the only change to the rendered text), its notifications going to the
 * operator URL given. Every request goes to loopback and carries a timeout, every loop is bounded
 * by a count, and {@link #close()} stops nginx.
 */
final class NginxBench implements AutoCloseable {
  /** Seconds any one request (or transfer of the boot asset) may take. */
  static final int REQUEST_TIMEOUT_SECONDS = 10;

  /** Seconds one load run may last, whatever its request count. */
  static final int LOAD_SECONDS = 20;

  private final Path work;
  private final BootDir dir;
  private final int port;
  private final Process nginx;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Requests per second and latency percentiles of a bounded request loop. */
  record Load(int requests, double perSecond, double p50Millis, double p99Millis) {}

  /**
   * @param work a world-readable directory (nginx's workers run as nobody)
   * @param operatorUrl where nginx mirrors the answer request (the bench's operator)
   * @param hookToken the token nginx sends with its notifications
   * @param assetBytes size of the boot asset served under /assets/
   */
  NginxBench(Path work, String operatorUrl, String hookToken, long assetBytes) throws Exception {
    this.work = work;
    dir = new BootDir(work.resolve("boot"));
    for (Path d :
        List.of(
            dir.nginxTemp(),
            dir.nginxConf().getParent(),
            dir.nginxPidFile().getParent(),
            dir.answersDir(),
            dir.hookToken().getParent(),
            dir.assetsDir())) {
      AtomicFiles.directory(d);
    }
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    OperatorSettings settings = OperatorSettings.defaults();
    // Capacity, not policy: without the request limits, which cap one address at a few per second.
    String conf = dir.relocate(NginxConfRenderer.render(settings, operatorUrl, false));
    String listen = "listen " + settings.nginxHttpPort() + ";";
    if (!conf.contains(listen)) {
      throw new IllegalStateException("rendered nginx.conf has no '" + listen + "'");
    }
    AtomicFiles.write(dir.nginxConf(), conf.replace(listen, "listen 127.0.0.1:" + port + ";"));
    AtomicFiles.write(
        dir.hookTokenInclude(), NginxConfRenderer.tokenInclude(hookToken), AtomicFiles.SECRET);
    // The bench's client plays an Installing machine: /assets/ is served to it.
    AtomicFiles.write(
        dir.assetsAllowInclude(),
        NginxConfRenderer.assetsAllowInclude(java.util.List.of(Ipv4.parse("127.0.0.1"))));
    String answer = answerToml();
    AtomicFiles.write(dir.answer(Ipv4.parse("127.0.0.1")), answer);
    AtomicFiles.write(dir.assetsDir().resolve("answer.toml"), answer);
    writeAsset(assetBytes);
    nginx =
        new ProcessBuilder(
                "nginx", "-c", dir.nginxConf().toString(), "-p", dir.nginxConf().getParent() + "/")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("nginx.log").toFile())
            .start();
    try {
      awaitServing();
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  static List<String> missingPrerequisites() {
    return NetLab.missingPrerequisites("nginx", "curl", "cat");
  }

  private static String answerToml() {
    return "[global]\nkeyboard = \"en-us\"\ncountry = \"us\"\nfqdn = \"peach-beach.homelab.lan\"\n"
        + "mailto = \"root@localhost\"\ntimezone = \"UTC\"\n"
        + "root-password-hashed = \"$6$bench$0123456789abcdef0123456789abcdef\"\n"
        + "[network]\nsource = \"from-dhcp\"\n[disk-setup]\nfilesystem = \"ext4\"\n"
        + "disk-list = [\"sda\"]\n";
  }

  private void writeAsset(long bytes) throws IOException {
    byte[] chunk = new byte[1 << 20];
    new Random(1).nextBytes(chunk);
    try (FileChannel ch =
        FileChannel.open(
            asset(),
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (long left = bytes; left > 0; left -= chunk.length) {
        ch.write(ByteBuffer.wrap(chunk, 0, (int) Math.min(left, chunk.length)));
      }
    }
  }

  Path asset() {
    return dir.assetsDir().resolve("initrd.img");
  }

  /** Polls the static answer copy until nginx serves it: at most 100 tries, 2 s each. */
  private void awaitServing() throws Exception {
    HttpRequest probe = staticGet();
    String last = "no answer";
    for (int i = 0; i < 100; i++) {
      if (!nginx.isAlive()) {
        break;
      }
      try {
        int status = send(probe).statusCode();
        if (status == 200) {
          return;
        }
        last = "HTTP " + status;
      } catch (IOException | TimeoutException e) {
        last = e.toString();
      }
      Thread.sleep(20); // polling a child process; the bench is not a test
    }
    throw new IllegalStateException(
        "nginx did not serve ("
            + last
            + "): "
            + Files.readString(work.resolve("nginx.log"), StandardCharsets.UTF_8));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The installer's POST of its system facts to /answer (headers and body as it sends them). */
  HttpRequest answerPost(byte[] body) {
    return HttpRequest.newBuilder(uri("/answer"))
        .timeout(Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS))
        .header("Content-Type", "application/json; charset=utf-8")
        .header("Accept", "application/json, application/toml;q=0.5")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /** A static GET of the same answer file, a copy under /assets/ (the baseline). */
  HttpRequest staticGet() {
    return HttpRequest.newBuilder(uri("/assets/answer.toml"))
        .timeout(Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS))
        .build();
  }

  /** One request, its body read, within the request timeout (the future is cancelled after it). */
  private HttpResponse<byte[]> send(HttpRequest request) throws Exception {
    CompletableFuture<HttpResponse<byte[]>> f =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    try {
      return f.get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    } finally {
      f.cancel(true);
    }
  }

  /**
   * The notification nginx's mirror sends for each answer POST, straight to the operator: what the
   * operator's share of an answer request costs. The operator holds no install at 127.0.0.1, so it
   * answers 404, as it does to the mirrored requests.
   */
  static HttpRequest answerServedNotification(String operatorUrl, String hookToken, byte[] body) {
    return HttpRequest.newBuilder(URI.create(operatorUrl + "/v1/notify/answer-served"))
        .timeout(Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS))
        .header("Content-Type", "application/json; charset=utf-8")
        .header("X-Real-IP", "127.0.0.1")
        .header(lan.homelab.pxe.Names.HEADER_HOOK_TOKEN, hookToken)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /**
   * {@code requests} requests from {@code clients} threads; every answer must be 200 with the
   * answer's text.
   */
  Load load(HttpRequest request, int requests, int clients) throws Exception {
    return load(request, requests, clients, 200, answerToml().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Up to {@code requests} requests from {@code clients} threads, each thread stopping once {@link
   * #LOAD_SECONDS} have passed; every answer must have that status and, unless {@code expected} is
   * null, that body. Rate and percentiles are over the requests made.
   */
  Load load(HttpRequest request, int requests, int clients, int status, byte[] expected)
      throws Exception {
    long[] nanos = new long[requests];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    long stopAt = start + TimeUnit.SECONDS.toNanos(LOAD_SECONDS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < clients; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < requests && System.nanoTime() < stopAt;
                      i = next.getAndIncrement()) {
                    long s = System.nanoTime();
                    HttpResponse<byte[]> r = send(request);
                    nanos[done.getAndIncrement()] = System.nanoTime() - s;
                    if (r.statusCode() != status
                        || (expected != null && !Arrays.equals(r.body(), expected))) {
                      throw new IllegalStateException(
                          request.method()
                              + " "
                              + request.uri()
                              + ": HTTP "
                              + r.statusCode()
                              + " "
                              + new String(r.body(), StandardCharsets.UTF_8));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(LOAD_SECONDS + 2L * REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] made = Arrays.copyOf(nanos, done.get());
    Arrays.sort(made);
    return new Load(
        made.length,
        made.length / seconds,
        percentile(made, 0.50) / 1e6,
        percentile(made, 0.99) / 1e6);
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)];
  }

  /**
   * Median MiB/s of {@code times} downloads of the boot asset by curl (body to /dev/null), timed
   * around the process.
   */
  double assetMibPerSecond(int times) throws Exception {
    return medianMibPerSecond(
        times,
        List.of(
            "curl",
            "-s",
            "-f",
            "-m",
            String.valueOf(REQUEST_TIMEOUT_SECONDS * 6),
            "-o",
            "/dev/null",
            uri("/assets/" + asset().getFileName()).toString()));
  }

  /** Baseline: median MiB/s of {@code cat} copying the same file (page-cached) to /dev/null. */
  double fileMibPerSecond(int times) throws Exception {
    return medianMibPerSecond(times, List.of("cat", asset().toString()));
  }

  private double medianMibPerSecond(int times, List<String> command) throws Exception {
    double mib = Files.size(asset()) / 1048576.0;
    double[] rates = new double[times];
    for (int i = 0; i < times; i++) {
      long start = System.nanoTime();
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(REQUEST_TIMEOUT_SECONDS * 6L, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue());
      }
      rates[i] = mib / ((System.nanoTime() - start) / 1e9);
    }
    Arrays.sort(rates);
    return rates[times / 2];
  }

  static String mib(double perSecond) {
    return String.format(Locale.ROOT, "%.0f MiB/s", perSecond);
  }

  @Override
  public void close() throws Exception {
    nginx.destroy();
    if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
      nginx.destroyForcibly();
      nginx.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
