#!/bin/busybox sh
# pxe-operator lab: a stand-in for the Proxmox installer's first steps, booted by the per-node iPXE
# script. Checks that the ISO arrived as /proxmox.iso, DHCPs asking for option 250, POSTs its
# system facts to the answer URL like proxmox-fetch-answer, sends the post-installation webhook
# like proxmox-post-hook (the URL from the answer), then powers off. Reports on the serial port.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() { echo "fake-installer: $*" > /dev/ttyS0; echo "fake-installer: $*"; }
finish() { say "$1"; sync; poweroff -f; }
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover \
    net_failover virtio_net e1000; do
  out=$(insmod /lib/modules/$m.ko 2>&1) || case "$out" in *exists*) ;; *) say "insmod $m: $out" ;; esac
done
if [ -f /proxmox.iso ]; then say "iso present ($(wc -c < /proxmox.iso) bytes)"; else finish "FAIL no /proxmox.iso"; fi
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
[ -e /sys/class/net/eth0 ] || finish "FAIL no eth0 (have: $(ls /sys/class/net | tr '\n' ' '))"
MAC=$(cat /sys/class/net/eth0/address)
MAC_UPPER=$(echo "$MAC" | tr a-f A-F)
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -f -q -n -t 10 -T 2 -O 250 -O 251 -s /lease.sh || finish "FAIL no DHCP lease"
. /tmp/lease
say "lease ip=$ip hostname=$hostname"
[ -n "$opt250" ] || finish "FAIL no option 250"
URL=$(echo "$opt250" | sed 's/../\\x&/g')
URL=$(printf "$URL")
say "answer url $URL"
sed "s/@MAC_UPPER@/$MAC_UPPER/g" /answer-request.json > /tmp/request.json
wget -q -O /tmp/answer.toml --header "Content-Type: application/json; charset=utf-8" \
  --header "Accept: application/json, application/toml;q=0.5" \
  --post-file /tmp/request.json "$URL" || finish "FAIL answer fetch"
say "answer received ($(wc -c < /tmp/answer.toml) bytes)"
HOOK=$(sed -n '/^\[post-installation-webhook\]/,/^\[/s/^url *= *"\(.*\)"/\1/p' /tmp/answer.toml | head -n 1)
[ -n "$HOOK" ] || finish "FAIL no webhook url in answer"
TOKEN=$(sed -n '/^\[post-installation-webhook\]/,/^\[/s/^auth-token *= *"\(.*\)"/\1/p' /tmp/answer.toml | head -n 1)
HEX=$(echo "$MAC" | tr -d :)
sed "s/@MAC@/$MAC/g; s/@MAC_HEX@/$HEX/g; s/@IP@/$ip/g; s/@FQDN@/$hostname.$domain/g; s/@TOKEN@/$TOKEN/g" \
  /post-hook.json > /tmp/hook.json
wget -q -O /dev/null --header "Content-Type: application/json" --post-file /tmp/hook.json "$HOOK" \
  || finish "FAIL webhook"
finish "DONE installed $MAC as $hostname ($ip)"
