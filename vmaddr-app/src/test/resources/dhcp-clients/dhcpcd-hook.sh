#!/bin/sh
# dhcpcd -c hook for tests: records each event's variables. dhcpcd configures the address itself
# (inside the client's namespace); this hook never touches resolv.conf.
out=${VMT_OUT:?VMT_OUT must name the output directory}
n=$(ls "$out" 2>/dev/null | wc -l)
env | grep -E '^(reason|interface|new_|old_)' | sort > "$out/.tmp-$$"
# Renamed when complete, so a reader never sees half an event.
mv "$out/.tmp-$$" "$out/$(printf %03d "$n")-$reason"
exit 0
