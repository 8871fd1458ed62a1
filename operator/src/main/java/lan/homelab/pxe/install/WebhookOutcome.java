package lan.homelab.pxe.install;

/** What a post-installation webhook call led to, with the HTTP status to answer. */
public enum WebhookOutcome {
  /** Valid: the install is recorded and the NodeInstall becomes Provisioned. */
  ACCEPTED(200, "install recorded"),
  /** A replay after Provisioned: nothing changes. */
  ALREADY_PROVISIONED(200, "already provisioned"),
  /** No NodeInstall of that name. */
  UNKNOWN_INSTALL(404, "no such install"),
  /** Wrong or missing token (URL or body). */
  BAD_TOKEN(403, "token does not match"),
  /** The payload does not list the NodeInstall's MAC among its NICs. */
  MAC_MISMATCH(403, "the installed machine does not have this install's MAC"),
  /** The NodeInstall never started installing (waiting, rejected). */
  NOT_INSTALLING(409, "this install is not installing");

  private final int httpStatus;
  private final String message;

  WebhookOutcome(int httpStatus, String message) {
    this.httpStatus = httpStatus;
    this.message = message;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String message() {
    return message;
  }
}
