package lan.homelab.pxe.cli;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import lan.homelab.pxe.OperatorMain;
import lan.homelab.pxe.answer.AnswerInputs;
import lan.homelab.pxe.answer.AnswerProblem;
import lan.homelab.pxe.answer.AnswerRenderer;
import lan.homelab.pxe.answer.AnswerResult;
import lan.homelab.pxe.answer.InstallerVersion;
import lan.homelab.pxe.answer.RootPasswords;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.api.v1alpha1.SlotAnswer;
import lan.homelab.pxe.claim.Mac;
import lan.homelab.pxe.config.Ipv4;
import lan.homelab.pxe.config.OperatorSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code render-answer}: prints the answer file one machine would receive from a template, a slot
 * and the settings, offline. What only exists at claim time (the webhook token, the hash of the
 * Secret's root password unless {@code --root-password-file} is given, the TLS fingerprint) is a
 * placeholder, named in a comment at the top.
 */
@Command(
    name = "render-answer",
    mixinStandardHelpOptions = true,
    description =
        "Print the answer file a machine would receive (placeholders for claim-time values).")
public class RenderAnswerCommand implements Callable<Integer> {
  static final String TOKEN_PLACEHOLDER = "<token minted at claim>";
  static final String HASH_PLACEHOLDER = "$6$placeholder$no-root-password-given";
  static final String FINGERPRINT_PLACEHOLDER = "<sha256 fingerprint of Secret pxe-tls>";

  @Spec CommandSpec spec;

  @Option(
      names = "--template",
      required = true,
      paramLabel = "FILE",
      description = "Answer template (TOML).")
  Path template;

  @Option(
      names = "--slot",
      paramLabel = "SLOT.yaml",
      description = "The ProvisioningSlot (YAML): address, hostname, answer overrides.")
  Path slot;

  @Option(
      names = "--mac",
      required = true,
      paramLabel = "MAC",
      description = "The machine's PXE NIC (any common notation).")
  String mac;

  @Option(
      names = "--installer-version",
      paramLabel = "V",
      description = "Installer release line (default: the settings' installerVersion, 9.2).")
  String installerVersion;

  @Option(
      names = "--settings",
      paramLabel = "FILE",
      description = "Operator settings (YAML); default: built-in seed network.")
  Path settingsFile;

  @Option(
      names = "--root-password-file",
      paramLabel = "FILE",
      description =
          "File whose first line is the root password (hashed with SHA-512 crypt; never printed).")
  Path rootPasswordFile;

  @Override
  public Integer call() {
    OperatorSettings settings;
    try {
      settings = OperatorMain.loadSettings(settingsFile);
    } catch (IOException | IllegalArgumentException e) {
      throw ValidateAnswerCommand.badParameter(spec, "--settings: " + e.getMessage());
    }
    InstallerVersion version =
        installerVersion == null ? settings.installerVersion() : version(spec, installerVersion);
    Mac machine =
        Mac.tryParse(mac)
            .orElseThrow(
                () ->
                    ValidateAnswerCommand.badParameter(
                        spec, "--mac: not a MAC address: '" + mac + "'"));
    List<String> notes = new ArrayList<>();

    String hostname;
    Ipv4 address;
    SlotAnswer answer = null;
    if (slot == null) {
      address = settings.network().base().plus(2);
      hostname = "example";
      notes.add("no --slot: placeholder hostname 'example' and address " + address);
    } else {
      ProvisioningSlot s;
      try {
        s = Serialization.unmarshal(read("--slot", slot), ProvisioningSlot.class);
      } catch (RuntimeException e) {
        throw ValidateAnswerCommand.badParameter(
            spec, "--slot: " + slot + " is not a ProvisioningSlot (" + e.getMessage() + ")");
      }
      if (s == null || s.getSpec() == null || s.getSpec().getAddress() == null) {
        throw ValidateAnswerCommand.badParameter(spec, "--slot: " + slot + " has no spec.address");
      }
      address =
          Ipv4.tryParse(s.getSpec().getAddress())
              .orElseThrow(
                  () ->
                      ValidateAnswerCommand.badParameter(
                          spec, "--slot: spec.address is not an IPv4 address"));
      hostname = s.getSpec().getHostname();
      if (hostname == null || hostname.isBlank()) {
        hostname = "pve-" + address.toString().replace('.', '-');
        notes.add("slot has no hostname: '" + hostname + "' used here");
      }
      answer = s.getSpec().getAnswer();
    }

    String hash = HASH_PLACEHOLDER;
    if (rootPasswordFile == null) {
      notes.add(
          "global.root-password-hashed: placeholder; the operator writes the hash of Secret pxe-root-password");
    } else {
      String password =
          read("--root-password-file", rootPasswordFile).lines().findFirst().orElse("");
      List<AnswerProblem> problems = RootPasswords.check(password, version);
      if (!problems.isEmpty()) {
        throw ValidateAnswerCommand.badParameter(
            spec, "--root-password-file: " + problems.get(0).message());
      }
      hash = RootPasswords.hash(password);
    }
    String fingerprint = null;
    if (settings.tlsEnabled()) {
      fingerprint = FINGERPRINT_PLACEHOLDER;
      notes.add(
          "post-installation-webhook.cert-fingerprint: placeholder for the TLS certificate's");
    }
    if (version.has(InstallerVersion.Feature.WEBHOOK_AUTH_TOKEN)) {
      notes.add(
          "post-installation-webhook.auth-token: placeholder, minted when the machine claims the slot");
    }

    AnswerInputs inputs =
        new AnswerInputs(
            read("--template", template),
            answer,
            hostname,
            settings.domain(),
            address,
            settings.network(),
            settings.gateway(),
            settings.dns(),
            machine,
            webhookUrl(settings, machine),
            TOKEN_PLACEHOLDER,
            fingerprint,
            hash,
            version);
    AnswerResult result = AnswerRenderer.render(inputs);
    if (result instanceof AnswerResult.Invalid invalid) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("invalid answer for " + machine + " (installer " + version + "):");
      invalid.problems().forEach(p -> err.println("  " + p + " [" + p.rule() + "]"));
      err.flush();
      return 1;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "# Answer for "
            + machine
            + " ("
            + hostname
            + ", "
            + address
            + "), installer "
            + version
            + ".");
    notes.forEach(n -> out.println("# " + n));
    out.println();
    out.print(((AnswerResult.Rendered) result).toml());
    out.flush();
    return 0;
  }

  private String read(String option, Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw ValidateAnswerCommand.badParameter(spec, option + ": cannot read " + file);
    }
  }

  /** The node's webhook URL, with a placeholder where the token minted at claim time goes. */
  static String webhookUrl(OperatorSettings settings, Mac mac) {
    return lan.homelab.pxe.install.NodeAnswers.webhookUrl(settings, mac.objectName(), "TOKEN");
  }

  static InstallerVersion version(CommandSpec spec, String text) {
    try {
      return InstallerVersion.parse(text);
    } catch (IllegalArgumentException e) {
      throw ValidateAnswerCommand.badParameter(spec, "--installer-version: " + e.getMessage());
    }
  }
}
