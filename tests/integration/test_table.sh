#!/bin/bash
# The table of cases (issue 12): table.py walks every combination of socket,
# destination, port mode, default, Linux listener, instance options and
# sequence, and checks each row against the written rules in model.py.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Another local IPv6 address, for "not loopback: untouched".
ip -6 addr add 2001:db8::1/128 dev lo nodad
# A relay outside 127/8, as NAT mode's gateway would be (TEST-NET, this netns only).
ip addr add 198.18.0.1/32 dev lo
# ICMP ping sockets for root, as a distro allows them for its users (this netns only).
sysctl -qw net.ipv4.ping_group_range="0 0"
"$PY" "$(dirname "$0")/table.py" "$LO6RELAY" "$PIN" "$CG" "$WORK/empty.conf"
