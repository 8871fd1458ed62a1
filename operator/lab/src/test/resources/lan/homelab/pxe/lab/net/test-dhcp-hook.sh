#!/bin/sh
# Test stand-in for the operator's dnsmasq lease hook: posts each event to the harness receiver.
exec curl -s -o /dev/null -m 2 \
  -H "X-Pxe-Hook-Token: $(cat "$(dirname "$0")/../secrets/hook-token")" \
  --data-raw "action=$1 mac=$2 ip=$3 vendor=${DNSMASQ_VENDOR_CLASS} user=${DNSMASQ_USER_CLASS0} tags=${DNSMASQ_TAGS}" \
  "http://10.11.0.1:9090/v1/dhcp-events"
