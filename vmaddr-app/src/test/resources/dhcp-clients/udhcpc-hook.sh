#!/bin/sh
# udhcpc -s hook for tests: records each event's variables, configures the address in the client's
# own namespace, never touches resolv.conf.
out=${VMT_OUT:?VMT_OUT must name the output directory}
n=$(ls "$out" 2>/dev/null | wc -l)
{ echo "event=$1"; env | grep -E '^(interface|ip|subnet|broadcast|router|dns|domain|lease|serverid|mtu|hostname|staticroutes|msstaticroutes|opt[0-9]+)=' | sort; } \
    > "$out/.tmp-$$"
# Renamed when complete, so a reader never sees half an event.
mv "$out/.tmp-$$" "$out/$(printf %03d "$n")-$1"
case "$1" in
    bound|renew)
        ip addr flush dev "$interface"
        ip addr add "$ip/$subnet" dev "$interface"
        ;;
    deconfig)
        ip addr flush dev "$interface"
        ;;
esac
exit 0
