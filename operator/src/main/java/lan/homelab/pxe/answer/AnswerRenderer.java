package lan.homelab.pxe.answer;

import static lan.homelab.pxe.answer.InstallerVersion.Feature.WEBHOOK_AUTH_TOKEN;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders one node's answer file: built-in defaults, then the template, then the slot's overrides
 * (tables merge key by key, values replace, {@code [disk-setup]} is replaced as a whole, the slot's
 * extra SSH keys are appended to {@code global.root-ssh-keys}), then the keys the operator owns
 * (fqdn, static network pinned to the PXE NIC, root password hash, webhook). A template or override
 * that sets an operator-owned key to another value is reported as a problem, never dropped
 * silently. The output is deterministic TOML spelled for the installer line and passes {@link
 * AnswerValidator} for it; otherwise the result is {@link AnswerResult.Invalid}.
 */
public final class AnswerRenderer {
  static final String DEFAULTS_RESOURCE = "/answer/defaults.toml";
  private static final Set<String> SECRET_KEYS =
      Set.of(
          "global.root-password",
          "global.root-password-hashed",
          "post-installation-webhook.auth-token");

  private static final Map<String, Object> DEFAULTS = parseDefaults();

  private AnswerRenderer() {}

  private static Map<String, Object> parseDefaults() {
    List<AnswerProblem> problems = new ArrayList<>();
    Map<String, Object> tree = layer(defaultsToml(), "defaults", problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("built-in answer defaults are broken: " + problems);
    }
    return Collections.unmodifiableMap(tree);
  }

  public static AnswerResult render(AnswerInputs in) {
    List<AnswerProblem> problems = new ArrayList<>();
    Map<String, Object> defaults = DEFAULTS;
    Map<String, Object> template =
        in.templateToml() == null
            ? new TreeMap<>()
            : layer(in.templateToml(), "template", problems);
    String overridesToml = in.slot() == null ? null : in.slot().getOverrides();
    Map<String, Object> overrides =
        overridesToml == null ? new TreeMap<>() : layer(overridesToml, "slot overrides", problems);
    if (!problems.isEmpty()) {
      return new AnswerResult.Invalid(problems);
    }

    Map<String, Object> owned = ownedValues(in);
    conflicts(owned, template, "template", problems);
    conflicts(owned, overrides, "slot overrides", problems);

    Map<String, Object> answer = AnswerTree.merge(AnswerTree.merge(defaults, template), overrides);
    appendSshKeys(answer, in.slot() == null ? null : in.slot().getExtraRootSshKeys());
    for (Map.Entry<String, Object> e : owned.entrySet()) {
      String[] path = e.getKey().split("\\.");
      if (e.getValue() == null) {
        AnswerTree.remove(answer, path);
      } else {
        AnswerTree.put(answer, e.getValue(), path);
      }
    }

    String toml = TomlWriter.write(AnswerTree.spell(answer, in.version()));
    problems.addAll(AnswerValidator.validate(toml, in.version()));
    return problems.isEmpty()
        ? new AnswerResult.Rendered(toml)
        : new AnswerResult.Invalid(problems);
  }

  /**
   * The keys the operator owns (dotted kebab path) and their values for this node; a null value
   * means the key must be absent.
   */
  static Map<String, Object> ownedValues(AnswerInputs in) {
    Map<String, Object> owned = new TreeMap<>();
    owned.put("global.fqdn", in.hostname() + "." + in.domain());
    owned.put("global.root-password", null);
    owned.put("global.root-password-hashed", in.rootPasswordHash());
    owned.put("network.source", "from-answer");
    owned.put("network.cidr", in.address() + "/" + in.network().prefix());
    owned.put("network.gateway", in.gateway().toString());
    owned.put("network.dns", in.dns().toString());
    Map<String, Object> filter = new TreeMap<>();
    filter.put("ID_NET_NAME_MAC", "*" + in.mac().bareHex());
    owned.put("network.filter", filter);
    owned.put("post-installation-webhook.url", in.webhookUrl());
    owned.put("post-installation-webhook.cert-fingerprint", in.certFingerprint());
    owned.put(
        "post-installation-webhook.auth-token",
        in.version().has(WEBHOOK_AUTH_TOKEN) ? in.webhookToken() : null);
    return owned;
  }

  private static void conflicts(
      Map<String, Object> owned,
      Map<String, Object> layer,
      String source,
      List<AnswerProblem> problems) {
    for (Map.Entry<String, Object> e : owned.entrySet()) {
      Object given = AnswerTree.get(layer, e.getKey().split("\\."));
      if (given == null || Objects.equals(given, e.getValue())) {
        continue;
      }
      String message;
      if (e.getKey().equals("global.root-password")) {
        message =
            "`global.root-password` comes from the Secret "
                + lan.homelab.pxe.Names.SECRET_ROOT_PASSWORD
                + " (written as `root-password-hashed`); remove it from the "
                + source;
      } else if (SECRET_KEYS.contains(e.getKey())) {
        message = "`" + e.getKey() + "` is set by the operator; remove it from the " + source;
      } else {
        message =
            "`"
                + e.getKey()
                + "` is set by the operator"
                + (e.getValue() == null ? "" : " to " + TomlWriter.value(e.getValue()))
                + " for this node; the "
                + source
                + " sets "
                + TomlWriter.value(given)
                + ": remove it from the "
                + source;
      }
      problems.add(new AnswerProblem(e.getKey(), AnswerRules.OPERATOR_OWNED, message));
    }
  }

  private static void appendSshKeys(Map<String, Object> answer, List<String> extra) {
    if (extra == null || extra.isEmpty()) {
      return;
    }
    Object existing = AnswerTree.get(answer, "global", "root-ssh-keys");
    if (existing != null && !(existing instanceof List<?>)) {
      return; // not a list: left for the validator to report
    }
    List<Object> keys = new ArrayList<>();
    if (existing instanceof List<?> list) {
      keys.addAll(list);
    }
    for (String key : extra) {
      if (key != null && !key.isBlank() && !keys.contains(key.trim())) {
        keys.add(key.trim());
      }
    }
    AnswerTree.put(answer, keys, "global", "root-ssh-keys");
  }

  private static Map<String, Object> layer(
      String toml, String source, List<AnswerProblem> problems) {
    AnswerTree.Parsed parsed = AnswerTree.parse(toml, source);
    problems.addAll(parsed.problems());
    return AnswerTree.normalize(parsed.tree(), source, problems);
  }

  /** The built-in defaults layer (TOML text shipped in the jar). */
  public static String defaultsToml() {
    try (InputStream in = AnswerRenderer.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      return new String(
          Objects.requireNonNull(in, DEFAULTS_RESOURCE).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
