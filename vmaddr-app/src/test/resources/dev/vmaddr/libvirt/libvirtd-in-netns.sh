#!/bin/sh
# Runs libvirtd for a test in network namespace NETNS and a mount namespace of its own, where
# /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt and /run/libvirt are the
# test's directories under DIR: the host's libvirt files are never read or written, and its
# `default` network does not exist there. The socket is DIR/sock/libvirt-sock (visible outside:
# qemu:///system?socket=DIR/sock/libvirt-sock). Runs in the foreground (exec): its PID is libvirtd's.
# Usage: libvirtd-in-netns.sh NETNS DIR
set -eu
ns=$1
dir=$2
mkdir -p "$dir/etc/qemu" "$dir/lib" "$dir/cache" "$dir/log" "$dir/run" "$dir/sock" "$dir/etc/hooks"
cat > "$dir/etc/libvirtd.conf" <<C
unix_sock_dir = "$dir/sock"
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
listen_tcp = 0
listen_tls = 0
log_outputs = "3:stderr"
C
cat > "$dir/etc/qemu.conf" <<C
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
remember_owner = 0
C
# The qemu driver looks up its compiled-in user (libvirt-qemu) before it reads qemu.conf.
cp /etc/passwd "$dir/passwd"
cp /etc/group "$dir/group"
grep -q '^libvirt-qemu:' "$dir/passwd" || echo 'libvirt-qemu:x:64055:64055:libvirt-qemu:/nonexistent:/usr/sbin/nologin' >> "$dir/passwd"
grep -q '^libvirt-qemu:' "$dir/group" || echo 'libvirt-qemu:x:64055:' >> "$dir/group"
grep -q '^kvm:' "$dir/group" || echo 'kvm:x:64056:' >> "$dir/group"
exec ip netns exec "$ns" unshare -m --propagation private sh -c '
    d=$1
    mount --bind "$d/passwd" /etc/passwd
    mount --bind "$d/group" /etc/group
    mount --bind "$d/etc" /etc/libvirt
    mkdir -p /var/lib/libvirt /var/cache/libvirt /var/log/libvirt
    mount --bind "$d/lib" /var/lib/libvirt
    mount --bind "$d/cache" /var/cache/libvirt
    mount --bind "$d/log" /var/log/libvirt
    mkdir -p /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt
    mount --bind "$d/run" /run/libvirt
    exec /usr/sbin/libvirtd --config "$d/etc/libvirtd.conf"
' sh "$dir"
