#!/bin/sh
# The lease script of the image test's "phone": busybox udhcpc runs it (-s) inside the phone's network
# namespace. It records what the box's DHCP server handed out (every variable udhcpc sets, option 114
# included, as optN or by name) in /tmp/udhcpc-<interface>.env and configures the address and route.
# shellcheck disable=SC2154 # interface, ip, mask, router: set by udhcpc
set -eu
case ${1:-} in
    deconfig)
        ip -4 addr flush dev "$interface"
        ;;
    bound | renew)
        env | sort >"/tmp/udhcpc-$interface.env.tmp"
        mv "/tmp/udhcpc-$interface.env.tmp" "/tmp/udhcpc-$interface.env"
        ip -4 addr flush dev "$interface"
        ip -4 addr add "$ip/${mask:-24}" dev "$interface"
        if [ -n "${router:-}" ]; then
            ip -4 route replace default via "${router%% *}" dev "$interface"
        fi
        ;;
esac
exit 0
