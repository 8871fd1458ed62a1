package lan.homelab.pxe.http;

/** A request the server refuses: the HTTP status and a short reason for the caller. */
public class HttpError extends RuntimeException {
  private final int status;
  private final String allow;

  public HttpError(int status, String reason) {
    this(status, reason, null);
  }

  private HttpError(int status, String reason, String allow) {
    super(reason, null, false, false);
    this.status = status;
    this.allow = allow;
  }

  /** 405 with the methods the path allows, for the {@code Allow} header. */
  public static HttpError methodNotAllowed(String allow) {
    return new HttpError(405, "method not allowed; use " + allow, allow);
  }

  public static HttpError badRequest(String reason) {
    return new HttpError(400, reason);
  }

  public int status() {
    return status;
  }

  /** The {@code Allow} header value of a 405, else null. */
  public String allow() {
    return allow;
  }
}
