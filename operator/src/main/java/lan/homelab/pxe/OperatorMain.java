package lan.homelab.pxe;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import lan.homelab.pxe.config.OperatorSettings;

/** Wiring only: settings, client, reconcilers, HTTP server. */
public final class OperatorMain implements AutoCloseable {
  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final Clock clock;
  private Operator operator;

  public OperatorMain(KubernetesClient client, OperatorSettings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
  }

  /** Starts the reconcilers (they act only while this replica leads) and the HTTP server. */
  public OperatorMain start() {
    operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.start();
    return this;
  }

  public KubernetesClient client() {
    return client;
  }

  public OperatorSettings settings() {
    return settings;
  }

  public Clock clock() {
    return clock;
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.stop();
    }
  }

  /** Reads a settings file (YAML); the built-in seed network when the path is null. */
  public static OperatorSettings loadSettings(Path file) throws IOException {
    if (file == null) {
      return OperatorSettings.defaults();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = Serialization.unmarshal(Files.readString(file), Map.class);
    return OperatorSettings.fromMap(raw == null ? Map.of() : raw);
  }

  /** {@code pxe-operator run}: blocks until the JVM is stopped. */
  public static int runInCluster(Path settingsFile) throws Exception {
    OperatorSettings settings = loadSettings(settingsFile);
    KubernetesClient client = new KubernetesClientBuilder().build();
    try (OperatorMain main = new OperatorMain(client, settings, Clock.systemUTC()).start()) {
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }
}
