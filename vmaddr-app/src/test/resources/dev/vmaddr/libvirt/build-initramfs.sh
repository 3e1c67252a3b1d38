#!/bin/sh
# Builds the test guest's initramfs: busybox-static, the virtio modules of Debian's cloud kernel,
# udhcpc with an explicit script, and qemu-ga with the libraries ldd lists (docs/libvirt.md, tests).
# Usage: build-initramfs.sh KERNEL_RELEASE OUT_FILE
set -eu
kver=$1
out=$2
mods=/usr/lib/modules/$kver/kernel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/sbin" "$work/lib/modules" "$work/proc" "$work/sys" "$work/dev" "$work/run" \
    "$work/tmp" "$work/var/run" "$work/etc"
cp /bin/busybox "$work/bin/busybox"
for a in sh mount insmod ip udhcpc sleep cat ls echo poweroff mkdir ln sed grep kill ps reboot; do
    ln -s busybox "$work/bin/$a"
done
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
         drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/core/failover \
         drivers/net/net_failover drivers/net/virtio_net drivers/char/virtio_console; do
    f=$mods/$m.ko
    [ -e "$f" ] || f=$f.xz
    case $f in
        *.xz) xz -dc "$f" > "$work/lib/modules/$(basename "$m").ko" ;;
        *) cp "$f" "$work/lib/modules/" ;;
    esac
done
cp /usr/sbin/qemu-ga "$work/sbin/qemu-ga"
for lib in $(ldd /usr/sbin/qemu-ga | grep -o '/[^ ]*'); do
    mkdir -p "$work$(dirname "$lib")"
    cp -L "$lib" "$work$lib"
done
# busybox poweroff: qemu-ga's guest-shutdown runs /sbin/shutdown -P +0
printf '#!/bin/sh\nexec /bin/busybox poweroff -f\n' > "$work/sbin/shutdown"
chmod +x "$work/sbin/shutdown"
cat > "$work/udhcpc.sh" <<'S'
#!/bin/sh
case "$1" in
    deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
    bound|renew) ip -4 addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface" ;;
esac
S
chmod +x "$work/udhcpc.sh"
cat > "$work/init" <<'S'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net virtio_console; do
    insmod /lib/modules/$m.ko
done
ip link set lo up
# vmaddr.mac=MAC on the kernel command line: the guest sets its own MAC (a guest without an agent to ask)
for arg in $(cat /proc/cmdline); do
    case $arg in vmaddr.mac=*) ip link set eth0 address "${arg#vmaddr.mac=}" ;; esac
done
ip link set eth0 up
port=
for p in /sys/class/virtio-ports/*; do
    [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && port=/dev/$(basename "$p")
done
[ -n "$port" ] && /sbin/qemu-ga -m virtio-serial -p "$port" -d -f /run/qemu-ga.pid
# In the foreground of a background job: it keeps renewing; retries every second until a server answers
udhcpc -i eth0 -s /udhcpc.sh -f -t 5 -T 1 -A 1 &
echo GUEST-READY
while true; do sleep 3600; done
S
chmod +x "$work/init"
(cd "$work" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
