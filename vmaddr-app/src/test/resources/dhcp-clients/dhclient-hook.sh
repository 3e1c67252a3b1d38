#!/bin/sh
# dhclient -sf hook for tests: records every event's variables and configures the address inside the
# client's own namespace. Never touches resolv.conf. Exit non-zero on TIMEOUT, or dhclient would
# "bind" a stale lease with no server (see shared/notes/dhcp-on-linux.md).
out=${VMT_OUT:?VMT_OUT must name the output directory}
n=$(ls "$out" 2>/dev/null | wc -l)
env | grep -E '^(reason|interface|new_|old_|requested_)' | sort > "$out/.tmp-$$"
# Renamed when complete, so a reader never sees half an event.
mv "$out/.tmp-$$" "$out/$(printf %03d "$n")-$reason"
case "$reason" in
    BOUND|RENEW|REBIND|REBOOT)
        if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
            ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null
        fi
        ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"
        ;;
    EXPIRE|FAIL|RELEASE|STOP)
        [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null
        ;;
    TIMEOUT)
        exit 1
        ;;
esac
exit 0
