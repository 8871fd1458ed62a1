package lan.homelab.pxe.install;

/**
 * What became of a boot notification nginx forwarded (boot script served, boot refused).
 *
 * <p>{@link #NOT_FROM_MACHINE}: the request came from an address that is neither the install's slot
 * address nor one dnsmasq leased to its MAC (which ones count depends on the notification); anyone
 * on the LAN can make nginx send one, so it changes nothing.
 */
public enum NotificationOutcome {
  RECORDED(200, "recorded"),
  UNKNOWN_INSTALL(404, "no such install"),
  NOT_FROM_MACHINE(403, "the request does not come from an address of this machine");

  private final int httpStatus;
  private final String message;

  NotificationOutcome(int httpStatus, String message) {
    this.httpStatus = httpStatus;
    this.message = message;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String message() {
    return message;
  }

  /** The metric label, e.g. {@code not-from-machine}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
