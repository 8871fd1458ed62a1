#!/bin/sh
# dnsmasq dhcp-script: reports DHCP lease events to the operator's POST /v1/dhcp-events.
# dnsmasq runs it as: dhcp-event-hook.sh add|old|del MAC IP [HOSTNAME], with DNSMASQ_* variables.
# Needs only POSIX sh, awk, tr and curl (7.55 or later). Always exits 0: a report that fails is
# logged on stderr and repeated by dnsmasq's next "old" event for the lease. The token never
# appears on a command line (ps shows every process's arguments): curl reads its header from a
# here-document on stdin (-H @-).
#
# Environment (set on the dnsmasq container):
#   PXE_HOOK_URL         operator base URL (default http://127.0.0.1:8081)
#   PXE_HOOK_TOKEN_FILE  file holding the shared token (default /etc/pxe-dhcp-hook/token,
#                        the Secret pxe-dhcp-hook mounted read-only)
#   PXE_HOOK_TIMEOUT     seconds per report (default 5)

action="$1"
mac="$2"
ip="$3"
hostname="$4"

case "$action" in
  add|old|del) ;;
  *) exit 0 ;;  # init, tftp, arp, ... are not lease events
esac

url="${PXE_HOOK_URL:-http://127.0.0.1:8081}/v1/dhcp-events"
token_file="${PXE_HOOK_TOKEN_FILE:-/etc/pxe-dhcp-hook/token}"
timeout="${PXE_HOOK_TIMEOUT:-5}"

if [ ! -r "$token_file" ]; then
  echo "dhcp-event-hook: cannot read $token_file; event $action $mac not reported" >&2
  exit 0
fi
token=$(tr -d '\r\n' < "$token_file")

# The JSON body in one process: each value printable ASCII only, cut to 255 characters, then
# backslash and quote escaped.
body=$(LC_ALL=C awk 'function esc(s,    out, i, c, n) {
    out = ""; n = 0
    for (i = 1; i <= length(s) && n < 255; i++) {
      c = substr(s, i, 1)
      if (c < " " || c > "~") continue
      n++
      if (c == "\\" || c == "\"") out = out "\\"
      out = out c
    }
    return out
  }
  BEGIN {
    n = split("action mac ip hostname tags vendorClass userClass interface clientId", key, " ")
    out = "{"
    for (i = 1; i <= n; i++) out = out (i > 1 ? "," : "") "\"" key[i] "\":\"" esc(ARGV[i]) "\""
    print out "}"
  }' "$action" "$mac" "$ip" "$hostname" "$DNSMASQ_TAGS" "$DNSMASQ_VENDOR_CLASS" \
  "$DNSMASQ_USER_CLASS0" "$DNSMASQ_INTERFACE" "$DNSMASQ_CLIENT_ID")

if ! command -v curl >/dev/null 2>&1; then
  echo "dhcp-event-hook: curl is not installed; event $action $mac not reported" >&2
  exit 0
fi
answer=$(curl -sS --max-time "$timeout" -X POST \
  -H "Content-Type: application/json" -H @- \
  --data-binary "$body" -w ' HTTP %{http_code}' "$url" 2>&1 <<EOF
X-Pxe-Hook-Token: $token
EOF
)
case "$answer" in
  *" HTTP 200"|*" HTTP 202") ;;
  *) echo "dhcp-event-hook: $action $mac $ip: $answer" >&2 ;;
esac
exit 0
