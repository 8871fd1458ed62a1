#!/bin/sh
# udhcpc event script of the pxe-operator harness: prints the lease, configures nothing.
if [ "$1" = bound ] || [ "$1" = renew ]; then
  for v in ip subnet router hostname domain serverid boot_file lease opt250 opt251; do
    eval "val=\${$v}"
    [ -n "$val" ] && echo "$v=$val"
  done
fi
exit 0
