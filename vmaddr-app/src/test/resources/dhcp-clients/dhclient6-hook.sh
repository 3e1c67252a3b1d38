#!/bin/sh
# dhclient -6 -sf hook for tests: records every event's variables and configures the IA_NA address
# inside the client's own namespace. Never touches resolv.conf.
out=${VMT_OUT:?VMT_OUT must name the output directory}
n=$(ls "$out" 2>/dev/null | wc -l)
env | grep -E '^(reason|interface|new_|old_|requested_|cur_)' | sort > "$out/.tmp-$$"
mv "$out/.tmp-$$" "$out/$(printf %03d "$n")-$reason"
case "$reason" in
    BOUND6|RENEW6|REBIND6|REBOOT6)
        if [ -n "$old_ip6_address" ] && [ "$old_ip6_address" != "$new_ip6_address" ]; then
            ip -6 addr del "$old_ip6_address/$old_ip6_prefixlen" dev "$interface" 2>/dev/null
        fi
        [ -n "$new_ip6_address" ] && ip -6 addr replace "$new_ip6_address/$new_ip6_prefixlen" dev "$interface" nodad \
            valid_lft "${new_max_life:-forever}" preferred_lft "${new_preferred_life:-forever}"
        ;;
    EXPIRE6|RELEASE6|STOP6)
        [ -n "$old_ip6_address" ] && ip -6 addr del "$old_ip6_address/$old_ip6_prefixlen" dev "$interface" 2>/dev/null
        ;;
esac
exit 0
