package lan.homelab.pxe.render;

import lan.homelab.pxe.Names;
import lan.homelab.pxe.config.OperatorSettings;

/**
 * Renders nginx's configuration (ConfigMap pxe-boot, key nginx.conf): the generic and per-node iPXE
 * scripts, the boot assets, the answers, the installer's webhook, and notifications to the
 * operator.
 *
 * <p>The answer: the installer POSTs its system facts to one URL; nginx answers with {@code
 * answers/$remote_addr.toml}, the file of the node whose reserved address makes the request, and
 * 404 for every other address. nginx's static handler refuses POST (405), so the request is
 * redirected internally (the method becomes GET) to an internal location serving the file. Before
 * that, a mirror posts the original body to the operator (answer served). Notifications carry the
 * dhcp hook token from an include file the sync process writes from the Secret, never from a
 * ConfigMap. No access log: webhook paths carry per-node tokens.
 */
public final class NginxConfRenderer {
  private static final String MAC_PATH = "[0-9a-f]{2}(?:-[0-9a-f]{2}){5}";

  /**
   * Requests per second one client address may make on the limited paths (boot script, refusal,
   * answer, webhook), with a burst of {@link #PER_CLIENT_BURST}: a booting machine makes a handful.
   */
  public static final int PER_CLIENT_RATE = 5;

  public static final int PER_CLIENT_BURST = 10;

  /** The same for all clients together: what can reach the operator through nginx at most. */
  public static final int ALL_CLIENTS_RATE = 50;

  public static final int ALL_CLIENTS_BURST = 100;

  /** Asset downloads (kernel, initrd, ISO) one address may run at once. */
  public static final int ASSET_CONNECTIONS_PER_CLIENT = 4;

  private static final String LIMITED =
      "limit_req zone=per_client burst="
          + PER_CLIENT_BURST
          + " nodelay;\n      limit_req zone=all_clients burst="
          + ALL_CLIENTS_BURST
          + " nodelay;";

  private NginxConfRenderer() {}

  /**
   * @param settings nginx listens on {@link OperatorSettings#nginxHttpPort}; with {@link
   *     OperatorSettings#tlsEnabled} also on {@link OperatorSettings#nginxHttpsPort} with the
   *     certificate the sync process writes from the pxe-tls Secret
   * @param operatorUrl where nginx reaches the operator's HTTP server, e.g. {@code
   *     http://pxe-operator.pxe-system.svc:8081}
   */
  public static String render(OperatorSettings settings, String operatorUrl) {
    return render(settings, operatorUrl, true);
  }

  /**
   * @param requestLimits false only for the bench's capacity rows: the same configuration without
   *     the {@code limit_req}/{@code limit_conn} lines
   */
  public static String render(
      OperatorSettings settings, String operatorUrl, boolean requestLimits) {
    BootDir dir = BootDir.POD;
    String op = operatorUrl.replaceAll("/+$", "");
    String token = "include " + dir.hookTokenInclude() + ";";
    String realIp = "proxy_set_header X-Real-IP $remote_addr;";
    String temp = dir.nginxTemp().toString();
    StringBuilder out = new StringBuilder();
    out.append("# Rendered by pxe-operator; do not edit. Paths name the boot pod's ")
        .append(BootDir.POD_ROOT)
        .append('\n');
    out.append(
        """
        worker_processes 1;
        daemon off;
        pid %s;
        error_log stderr warn;
        events {
          worker_connections 512;
        }
        http {
          access_log off;
          server_tokens off;
          sendfile on;
          default_type application/octet-stream;
          types {
            text/plain ipxe;
          }
          client_body_temp_path %s/body;
          proxy_temp_path %s/proxy;
          fastcgi_temp_path %s/fastcgi;
          uwsgi_temp_path %s/uwsgi;
          scgi_temp_path %s/scgi;
          client_max_body_size 64k;
          client_body_buffer_size 64k;

          # Request limits (docs/http.md): per client address and for all clients together on the
          # paths that reach the operator or hand out per-node files (429 beyond them); at most a
          # few asset downloads at once per address, the bytes themselves unlimited.
          limit_req_zone $binary_remote_addr zone=per_client:1m rate=%9$dr/s;
          limit_req_zone $server_port zone=all_clients:64k rate=%10$dr/s;
          limit_conn_zone $binary_remote_addr zone=assets_per_client:1m;
          limit_req_status 429;
          limit_conn_status 429;

          # The NodeInstall a per-node script request names (its MAC with dashes).
          map $request_uri $pxe_install {
            "~^/ipxe/(?<m>%s)$" $m;
            default "";
          }

          server {
            listen %d;
        """
            .formatted(
                dir.nginxPidFile(),
                temp,
                temp,
                temp,
                temp,
                temp,
                MAC_PATH,
                settings.nginxHttpPort(),
                PER_CLIENT_RATE,
                ALL_CLIENTS_RATE));
    if (settings.tlsEnabled()) {
      out.append(
          """
              listen %d ssl;
              ssl_certificate %s;
              ssl_certificate_key %s;
          """
              .formatted(
                  settings.nginxHttpsPort(),
                  dir.root().resolve("secrets/tls.crt"),
                  dir.root().resolve("secrets/tls.key")));
    }
    out.append(
        """

            location / {
              return 404 "not found\\n";
            }

            # Generic iPXE script, handed out by DHCP to every iPXE client.
            location = /boot.ipxe {
              root %1$s/boot;
              default_type text/plain;
            }

            # Memory check of the per-node script: 200 for at least %2$d MiB, else 404.
            location ~ "^/ipxe/memory-ok/(?:[6-9][0-9]{3}|[1-9][0-9]{4,})$" {
              default_type text/plain;
              return 200 "#!ipxe\\n";
            }
            location ~ "^/ipxe/memory-ok/" {
              return 404 "not enough memory\\n";
            }

            # A per-node script's refusal to boot the installer, reported to the operator.
            location ~ "^/ipxe/refused/(?<refused>%3$s)/(?<reason>[a-z]+)/(?<memsize>[0-9]*)$" {
              %7$s
              proxy_pass %4$s/v1/notify/boot-refused?install=$refused&reason=$reason&memsize=$memsize;
              proxy_method POST;
              %5$s
              %6$s
            }

            # Per-node script by MAC: 404 while the machine holds no claim (the generic script
            # then waits, renews DHCP and retries); the operator hears of each one served.
            location ~ "^/ipxe/(?<mac>%3$s)$" {
              %7$s
              if (!-f %1$s/ipxe/$mac.ipxe) {
                return 404 "no claim in force for this machine yet\\n";
              }
              alias %1$s/ipxe/$mac.ipxe;
              default_type text/plain;
              mirror /_notify/boot-script-served;
            }
            location = /_notify/boot-script-served {
              internal;
              proxy_pass %4$s/v1/notify/boot-script-served?install=$pxe_install;
              proxy_method POST;
              proxy_pass_request_body off;
              proxy_set_header Content-Length "";
              %5$s
              %6$s
            }

            # Boot assets: vmlinuz, initrd.img, proxmox.iso; only to addresses that hold an
            # Installing machine (slot or leased address), from the include the sync writes.
            location /assets/ {
              %8$s
              include %9$s;
              alias %1$s/assets/;
            }

            # The installer's answer: only the node whose reserved address asks gets its file.
            location = /answer {
              %7$s
              limit_except POST {
                deny all;
              }
              if (!-f %1$s/answers/$remote_addr.toml) {
                return 404 "no answer for this address\\n";
              }
              mirror /_notify/answer-served;
              mirror_request_body on;
              alias %1$s/answers/$remote_addr.toml;
              error_page 405 = /_answer-file;
            }
            location = /_answer-file {
              internal;
              root %1$s/answers;
              default_type application/toml;
              try_files /$remote_addr.toml =404;
            }
            location = /_notify/answer-served {
              internal;
              proxy_pass %4$s/v1/notify/answer-served;
              %5$s
              %6$s
            }

            # The installer's webhook: the path carries the node's token, so nothing is logged.
            location ~ "^/v1/webhook/[^/]+/[^/]+$" {
              error_log stderr crit;
              %7$s
              limit_except POST {
                deny all;
              }
              proxy_pass %4$s;
              %6$s
            }
          }
        }
        """
            .formatted(
                dir.root(),
                BootUrls.MIN_MEMORY_MIB,
                MAC_PATH,
                op,
                token,
                realIp,
                requestLimits ? LIMITED : "# no request limits (bench)",
                requestLimits
                    ? "limit_conn assets_per_client " + ASSET_CONNECTIONS_PER_CLIENT + ";"
                    : "# no connection limit (bench)",
                dir.assetsAllowInclude()));
    return out.toString();
  }

  /**
   * The include of {@code location /assets/}: one {@code allow} per address, then {@code deny
   * all;}; with no address, nobody gets the assets.
   */
  public static String assetsAllowInclude(
      java.util.Collection<lan.homelab.pxe.config.Ipv4> allowed) {
    StringBuilder out =
        new StringBuilder("# Rendered by pxe-boot-sync; addresses of Installing machines.\n");
    new java.util.TreeSet<>(allowed).forEach(a -> out.append("allow ").append(a).append(";\n"));
    return out.append("deny all;\n").toString();
  }

  /** The include file carrying the hook token header, written by the sync process. */
  public static String tokenInclude(String token) {
    if (!token.matches("[A-Za-z0-9._~+/=-]+")) {
      throw new IllegalArgumentException("hook token has characters nginx cannot quote safely");
    }
    return "proxy_set_header " + Names.HEADER_HOOK_TOKEN + " \"" + token + "\";\n";
  }
}
