package lan.homelab.pxe.install;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import lan.homelab.pxe.Names;
import lan.homelab.pxe.answer.AnswerInputs;
import lan.homelab.pxe.answer.AnswerRenderer;
import lan.homelab.pxe.answer.AnswerResult;
import lan.homelab.pxe.answer.InstallerVersion;
import lan.homelab.pxe.answer.RootPasswordStore;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import lan.homelab.pxe.slot.Slots;
import lan.homelab.pxe.status.EventRecorder;

/**
 * Renders a node's answer from the user's template (ConfigMap pxe-answer-template; the built-in
 * defaults when it is absent), its slot's overrides, the root password hash and the webhook, and
 * tells for any slot whether its answer would be valid. Template and password are read at most once
 * a second; a slot's verdict is remembered until the slot, the template, the password or the
 * certificate changes, and forgotten when nobody asked for it for {@link #VERDICT_MEMORY} (a slot
 * that was deleted).
 */
public class NodeAnswers {
  private static final Duration FRESHNESS = Duration.ofSeconds(1);
  private static final Mac PREVIEW_MAC = Mac.parse("00:00:00:00:00:00");

  /**
   * How long a slot's verdict is kept without being asked for: every slot is asked at least every
   * 30 s, so only deleted slots' verdicts go.
   */
  static final Duration VERDICT_MEMORY = Duration.ofMinutes(10);

  static final int VERDICT_LIMIT = 10_000;

  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final InstallerVersion version;
  private final Clock clock;
  private final EventRecorder events;
  private final Supplier<String> certFingerprint;
  private final RootPasswordStore passwords;
  private final Cache<String, Verdict> verdicts;
  private volatile Inputs inputs;
  private volatile String lastTemplateProblem;

  private record Inputs(String template, RootPasswordStore.Outcome password, Instant readAt) {}

  private record Verdict(String key, List<String> problems) {}

  /**
   * @param certFingerprint the webhook certificate's fingerprint, or null without TLS
   */
  public NodeAnswers(
      KubernetesClient client,
      OperatorSettings settings,
      Clock clock,
      EventRecorder events,
      Supplier<String> certFingerprint) {
    this(client, settings, clock, events, certFingerprint, Ticker.systemTicker());
  }

  NodeAnswers(
      KubernetesClient client,
      OperatorSettings settings,
      Clock clock,
      EventRecorder events,
      Supplier<String> certFingerprint,
      Ticker ticker) {
    this.verdicts =
        Caffeine.newBuilder()
            .expireAfterAccess(VERDICT_MEMORY)
            .maximumSize(VERDICT_LIMIT)
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
    this.client = client;
    this.settings = settings;
    this.version = settings.installerVersion();
    this.clock = clock;
    this.events = events;
    this.certFingerprint = certFingerprint;
    this.passwords =
        new RootPasswordStore(client, settings.namespace(), settings.rootPasswordSecret());
  }

  /** The URL the installer posts its webhook to (nginx forwards it to the operator). */
  public static String webhookUrl(OperatorSettings settings, String install, String token) {
    return settings.webhookUrl() + "/v1/webhook/" + install + "/" + token;
  }

  /** The answer for this machine in this slot. */
  public AnswerResult render(Mac mac, ProvisioningSlot slot, String token) {
    Inputs in = inputs();
    if (in.password() instanceof RootPasswordStore.Outcome.Unusable unusable) {
      return new AnswerResult.Invalid(
          List.of(
              new lan.homelab.pxe.answer.AnswerProblem(
                  "global.root-password-hashed", "root-password", unusable.reason())));
    }
    String hash = ((RootPasswordStore.Outcome.Ready) in.password()).hash();
    return AnswerRenderer.render(
        new AnswerInputs(
            in.template(),
            slot.getSpec().getAnswer(),
            Slots.hostname(slot),
            settings.domain(),
            Ipv4.parse(slot.getSpec().getAddress()),
            settings.network(),
            settings.gateway(),
            settings.dns(),
            mac,
            webhookUrl(settings, mac.objectName(), token),
            token,
            certFingerprint.get(),
            hash,
            version));
  }

  /** What would be wrong with the answer of a machine in this slot; empty when it is valid. */
  public List<String> problems(ProvisioningSlot slot) {
    if (Ipv4.tryParse(slot.getSpec().getAddress()).isEmpty()) {
      return List.of();
    }
    Inputs in = inputs();
    String key =
        slot.getMetadata().getUid()
            + "/"
            + slot.getMetadata().getGeneration()
            + "/"
            + Objects.hashCode(in.template())
            + "/"
            + Objects.hashCode(in.password())
            + "/"
            + certFingerprint.get();
    Verdict cached = verdicts.getIfPresent(slot.getMetadata().getName());
    if (cached != null && cached.key().equals(key)) {
      return cached.problems();
    }
    List<String> problems =
        render(PREVIEW_MAC, slot, "preview-token") instanceof AnswerResult.Invalid invalid
            ? invalid.problems().stream().map(p -> "answer: " + p).toList()
            : List.of();
    verdicts.put(slot.getMetadata().getName(), new Verdict(key, problems));
    return problems;
  }

  /** How many slots' verdicts are remembered now. */
  long verdictsRemembered() {
    verdicts.cleanUp();
    return verdicts.estimatedSize();
  }

  private Inputs inputs() {
    Inputs current = inputs;
    if (fresh(current, clock.instant())) {
      return current;
    }
    return refreshInputs();
  }

  /** Read less than {@link #FRESHNESS} ago (and not in the future: the clock may step back). */
  private static boolean fresh(Inputs inputs, Instant now) {
    return inputs != null
        && inputs.readAt().plus(FRESHNESS).isAfter(now)
        && !now.isBefore(inputs.readAt());
  }

  /** One reader at a time: the others wait and take what it read. */
  private synchronized Inputs refreshInputs() {
    Inputs current = inputs;
    Instant now = clock.instant();
    if (fresh(current, now)) {
      return current;
    }
    ConfigMap cm =
        client
            .configMaps()
            .inNamespace(settings.namespace())
            .withName(Names.CONFIGMAP_ANSWER_TEMPLATE)
            .get();
    String template =
        cm == null || cm.getData() == null ? null : cm.getData().get(Names.KEY_TEMPLATE);
    Inputs fresh = new Inputs(template, passwords.resolve(version), now);
    inputs = fresh;
    reportTemplate(cm, fresh);
    return fresh;
  }

  /** An invalid template is told on the template itself, once per distinct problem. */
  private void reportTemplate(ConfigMap cm, Inputs in) {
    if (cm == null || !(in.password() instanceof RootPasswordStore.Outcome.Ready ready)) {
      return;
    }
    AnswerResult result =
        AnswerRenderer.render(
            new AnswerInputs(
                in.template(),
                null,
                "preview",
                settings.domain(),
                settings.network().base().plus(2),
                settings.network(),
                settings.gateway(),
                settings.dns(),
                PREVIEW_MAC,
                webhookUrl(settings, PREVIEW_MAC.objectName(), "preview-token"),
                "preview-token",
                certFingerprint.get(),
                ready.hash(),
                version));
    String problem =
        result instanceof AnswerResult.Invalid invalid ? invalid.problems().toString() : null;
    if (problem != null && !problem.equals(lastTemplateProblem)) {
      events.warning(cm, "InvalidTemplate", "no slot is handed out until fixed: " + problem);
    }
    lastTemplateProblem = problem;
  }
}
