#!/bin/sh
# udhcpc script of the fake installer: configures eth0 and keeps the lease for /init.
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-22}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}" 2>/dev/null
    { echo "ip=$ip"; echo "hostname=$hostname"; echo "domain=$domain"; echo "opt250=$opt250"; echo "opt251=$opt251"; } > /tmp/lease
    ;;
esac
exit 0
