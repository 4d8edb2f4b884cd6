#!/bin/bash
# Build the project's default guest image (a CirrOS-like test image).
#
# Usage: build-guest-image.sh [--format qcow2|raw] OUTPUT
#
# Everything comes from Debian packages: a distribution kernel (downloaded
# with `apt-get download`, never installed on the host), busybox-static,
# dropbear and syslinux.  The result is a whole-disk image bootable by a
# BIOS (SeaBIOS): an MBR with syslinux's boot code and one FAT partition
# holding syslinux, the kernel and an initramfs that is the whole guest
# userland.  See README.md beside this script.
#
# Runs as root; idempotent (packages already present are not reinstalled,
# the kernel package is cached, the output is replaced atomically).
# Needs no loop devices, no device-mapper and no mounting.
#
# Environment:
#   GUEST_IMAGE_CACHE   where the kernel .deb is cached (/var/cache/guest-image)
#   GUEST_KERNEL_PKG    kernel package to use (default: what linux-image-amd64
#                       depends on)
#   GUEST_PASSWORD      console/SSH password of user 'guest' (gueststack)
set -euo pipefail
export LC_ALL=C
# The modes of the guest's files come from this umask: devstack runs with 077, which
# would make every directory and program of the guest root-only (/bin, /etc/passwd,
# /home), so the user 'guest' could not log in (dropbear starts no shell for it).
umask 022

PROG=$(basename "$0")
FORMAT=qcow2
OUTPUT=

usage() {
    cat <<EOF
Usage: $PROG [--format qcow2|raw] OUTPUT

Builds the default guest image into OUTPUT (qcow2 unless --format raw).
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --format) [ $# -ge 2 ] || die "--format needs an argument"; FORMAT=$2; shift 2 ;;
        --format=*) FORMAT=${1#--format=}; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option $1" ;;
        *) [ -z "$OUTPUT" ] || die "only one OUTPUT may be given"; OUTPUT=$1; shift ;;
    esac
done
[ -n "$OUTPUT" ] || { usage >&2; exit 2; }
case "$FORMAT" in qcow2|raw) ;; *) die "--format must be qcow2 or raw, not '$FORMAT'" ;; esac
[ "$(id -u)" -eq 0 ] || die "must run as root (installs Debian packages)"
OUTPUT=$(realpath -m -- "$OUTPUT")   # the build changes directory

CACHE=${GUEST_IMAGE_CACHE:-/var/cache/guest-image}
GUEST_PASSWORD=${GUEST_PASSWORD:-gueststack}
# Image version, shown in /etc/os-release and on the console.
IMAGE_VERSION=1.0
FS_LABEL=GUESTBOOT
PART_START=2048                     # first partition at 1 MiB (in 512-byte sectors)
MIN_FS_MB=32                        # FAT partition size (grown if the content needs it)

# -------------------------------------------------------------- host packages
# Host tools the build needs, plus qemu so that the image can be tested here.
PACKAGES="busybox-static dropbear-bin syslinux syslinux-common mtools dosfstools
fdisk cpio kmod gzip qemu-utils qemu-system-x86"

missing_packages() {
    local p missing=
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    echo $missing
}

ensure_packages() {
    local missing
    missing=$(missing_packages)
    [ -z "$missing" ] && return 0
    log "installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends $missing; then
        apt-get update
        apt-get install -y --no-install-recommends $missing
    fi
}

ensure_packages

kernel_package() {
    if [ -n "${GUEST_KERNEL_PKG:-}" ]; then echo "$GUEST_KERNEL_PKG"; return; fi
    local pkg
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
    if [ -z "$pkg" ]; then
        apt-get update >&2
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
    fi
    [ -n "$pkg" ] || die "cannot resolve the kernel package behind linux-image-amd64"
    echo "$pkg"
}

# ---------------------------------------------------------------- work area
START=$(date +%s)
WORK=$(mktemp -d /tmp/guest-image.XXXXXX)
TMPOUT=
cleanup() { rm -rf "$WORK"; [ -z "$TMPOUT" ] || rm -f "$TMPOUT"; }
trap cleanup EXIT

KPKG=$(kernel_package)
mkdir -p "$CACHE"
KDEB=$(ls "$CACHE"/"${KPKG}"_*_amd64.deb 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$KDEB" ]; then
    log "downloading $KPKG (not installed on the host)"
    # apt drops privileges to _apt for downloads: give it a directory it can write.
    chmod 0711 "$WORK"
    mkdir -m 0777 "$WORK/download"
    (cd "$WORK/download" && apt-get download "$KPKG")
    mv "$WORK/download"/"${KPKG}"_*_amd64.deb "$CACHE"/
    KDEB=$(ls "$CACHE"/"${KPKG}"_*_amd64.deb | sort -V | tail -n1)
fi
log "kernel package: $KDEB"
KROOT=$WORK/kernel
ROOT=$WORK/rootfs
mkdir -p "$KROOT" "$ROOT"

# Only /boot and /lib/modules are needed from the kernel package.
dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$KROOT" --wildcards './boot/vmlinuz-*' './lib/modules/*'
KVER=$(ls "$KROOT/lib/modules" | head -n1)
[ -n "$KVER" ] && [ -f "$KROOT/boot/vmlinuz-$KVER" ] || die "no kernel found in $KDEB"
depmod -b "$KROOT" "$KVER"

# ------------------------------------------------------------ kernel modules
# Drivers a cloud guest needs (virtio first), with their dependencies in load order.
MODULES="virtio_pci virtio_blk virtio_net virtio_scsi virtio_console virtio-rng virtio_balloon
sd_mod sr_mod ata_piix ahci e1000 isofs vfat nls_cp437 nls_ascii nls_utf8 nls_iso8859-1 button evdev"
MODDIR=lib/modules/$KVER
mkdir -p "$ROOT/$MODDIR" "$ROOT/etc/guest"
: > "$ROOT/etc/guest/modules"
for m in $MODULES; do
    modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" || die "kernel module $m not found"
done | awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' | while read -r path; do
    rel=${path#"$KROOT"/}
    mkdir -p "$ROOT/$(dirname "$rel")"
    cp "$path" "$ROOT/$rel"
    echo "/$rel" >> "$ROOT/etc/guest/modules"
done
cp "$KROOT/$MODDIR"/modules.order "$KROOT/$MODDIR"/modules.builtin "$KROOT/$MODDIR"/modules.builtin.modinfo "$ROOT/$MODDIR/"
depmod -b "$ROOT" "$KVER"
log "kernel $KVER, $(wc -l < "$ROOT/etc/guest/modules") modules"

# --------------------------------------------------------------- userland
cd "$ROOT"
mkdir -p bin sbin usr/bin usr/sbin usr/share/udhcpc lib lib64 dev proc sys run tmp root \
    home/guest etc/init.d etc/dropbear etc/acpi/PWRF var/lib/guest var/log mnt
ln -s ../run var/run
chmod 1777 tmp
chmod 0700 root

cp /bin/busybox bin/busybox
busybox --list-full | while read -r applet; do
    [ -e "$applet" ] || ln -s /bin/busybox "$applet"
done
# dropbear (dynamically linked): binaries plus the shared objects they use.
cp /usr/sbin/dropbear usr/sbin/
cp /usr/bin/dropbearkey /usr/bin/dbclient usr/bin/
for bin in usr/sbin/dropbear usr/bin/dropbearkey usr/bin/dbclient; do
    ldd "/$bin" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'
done | sort -u | while read -r lib; do
    mkdir -p "./$(dirname "$lib")"
    cp -L "$lib" "./$lib"
done
ln -s /usr/bin/dbclient usr/bin/ssh

# Device nodes so that the kernel can open the console before /init runs
# (harmless if mknod is not permitted: /init mounts devtmpfs anyway).
mknod -m 600 dev/console c 5 1 2>/dev/null || true
mknod -m 666 dev/null c 1 3 2>/dev/null || true

HASH=$(busybox mkpasswd -m sha512 "$GUEST_PASSWORD")

cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
guest:x:1000:1000:Guest user:/home/guest:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > etc/group <<'EOF'
root:x:0:
tty:x:5:
wheel:x:10:guest
guest:x:1000:
nogroup:x:65534:
EOF
# root has no password (SSH key only); guest has the documented password.
cat > etc/shadow <<EOF
root:*:19000:0:99999:7:::
guest:$HASH:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
EOF
chmod 0600 etc/shadow
printf '/bin/sh\n/bin/ash\n' > etc/shells
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' > etc/nsswitch.conf
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > etc/hosts
echo guest > etc/hostname
: > etc/resolv.conf
cat > etc/os-release <<EOF
NAME="Guest"
ID=guest
VERSION_ID=$IMAGE_VERSION
PRETTY_NAME="Guest $IMAGE_VERSION (busybox, Linux $KVER)"
EOF
cat > etc/issue <<EOF
Guest $IMAGE_VERSION (Linux $KVER) \\n \\l
login as 'guest' with password '$GUEST_PASSWORD'; root by SSH key only.

EOF
cat > etc/profile <<'EOF'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PS1='\u@\h:\w\$ '
[ "$(id -u)" = 0 ] && PS1='\u@\h:\w# '
export HOME=${HOME:-/}
EOF
cat > etc/inittab <<'EOF'
::sysinit:/etc/init.d/rcS
ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100
tty1::respawn:/sbin/getty 38400 tty1
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/init.d/rcK
::restart:/sbin/init
EOF
# ACPI power button (virsh shutdown / nova stop) -> clean poweroff.
printf 'PWRF PWRF\n' > etc/acpid.conf
printf '#!/bin/sh\nexec /sbin/poweroff\n' > etc/acpi/PWRF/00000080
chmod 755 etc/acpi/PWRF/00000080

# /init: PID 1 of the initramfs.  Make /dev usable, then become busybox init.
cat > init <<'EOF'
#!/bin/sh
/bin/busybox mount -t devtmpfs -o mode=0755 devtmpfs /dev 2>/dev/null
exec 0</dev/console 1>/dev/console 2>&1
exec /sbin/init "$@"
EOF
chmod 755 init

# ------------------------------------------------------ DHCP (udhcpc) script
cat > usr/share/udhcpc/default.script <<'EOF'
#!/bin/sh
# udhcpc event script: address, MTU, routes (RFC 3442 option 121 classless
# static routes when offered, else the router option) and DNS.
# Writes /run/guest/dhcp.<iface> for the boot scripts.
[ -n "$interface" ] || exit 1
STATE_DIR=${GUEST_RUN_DIR:-/run/guest}
RESOLV=${GUEST_RESOLV_CONF:-/etc/resolv.conf}
mkdir -p "$STATE_DIR"
STATE=$STATE_DIR/dhcp.$interface

# Route metric: 100 for eth0, 101 for eth1, ... so the first NIC wins.
idx=$(cat /sys/class/net/$interface/ifindex 2>/dev/null || echo 2)
metric=$((98 + idx))

ROUTES=$STATE_DIR/routes.$interface

add_route() { # add_route DEST GW: remembered in $ROUTES so that renew/deconfig can remove it
    if [ "$2" = "0.0.0.0" ]; then
        ip route add "$1" dev "$interface" metric "$metric" || return 1
        echo "$1 dev $interface metric $metric" >> "$ROUTES"
    elif ip route add "$1" via "$2" dev "$interface" metric "$metric" 2>/dev/null; then
        echo "$1 via $2 dev $interface metric $metric" >> "$ROUTES"
    else
        ip route add "$1" via "$2" dev "$interface" metric "$metric" onlink || return 1
        echo "$1 via $2 dev $interface metric $metric onlink" >> "$ROUTES"
    fi
}

del_routes() {
    [ -f "$ROUTES" ] || return 0
    while read -r r; do ip route del $r 2>/dev/null; done < "$ROUTES"
    rm -f "$ROUTES"
}

apply_routes() {
    del_routes
    if [ -n "$staticroutes" ]; then
        # "dest/len gw dest/len gw ..."; gateway 0.0.0.0 means on-link.
        # RFC 3442: when option 121 is present the router option is ignored.
        set -- $staticroutes
        while [ $# -ge 2 ]; do
            dest=$1; gw=$2; shift 2
            [ "$dest" = "0.0.0.0/0" ] && dest=default
            add_route "$dest" "$gw"
        done
    elif [ -n "$router" ]; then
        set -- $router
        add_route default "$1"
    fi
}

write_resolv() {
    [ -n "$dns" ] || return 0
    {
        [ -n "$search" ] && echo "search $search" || { [ -n "$domain" ] && echo "search $domain"; }
        for ns in $dns; do echo "nameserver $ns"; done
    } > "$STATE_DIR/resolv.$interface"
    # The lowest-numbered interface with DNS servers provides resolv.conf.
    for f in "$STATE_DIR"/resolv.*; do
        [ -f "$f" ] && { cat "$f" > "$RESOLV"; break; }
    done
}

case "$1" in
    deconfig)
        del_routes
        ip -4 addr flush dev "$interface"
        ip link set dev "$interface" up
        rm -f "$STATE" "$STATE_DIR/resolv.$interface"
        ;;
    bound|renew)
        [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
        if ! ip -4 addr show dev "$interface" | grep -q "inet $ip/"; then
            ip -4 addr flush dev "$interface"
            ip addr add "$ip/${mask:-24}" broadcast "${broadcast:-+}" dev "$interface"
        fi
        apply_routes
        write_resolv
        cat > "$STATE" <<EOT
ip=$ip
mask=${mask:-24}
router=$router
staticroutes=$staticroutes
dns=$dns
domain=$domain
mtu=$mtu
lease=$lease
serverid=$serverid
EOT
        logger -t udhcpc "$1 $interface $ip/${mask:-24} router=$router routes=$staticroutes dns=$dns" 2>/dev/null
        ;;
    leasefail|nak)
        logger -t udhcpc "$1 on $interface" 2>/dev/null
        ;;
esac
exit 0
EOF
chmod 755 usr/share/udhcpc/default.script

# ------------------------------------------------ metadata / first boot
cat > usr/sbin/guest-metadata <<'EOF'
#!/bin/sh
# Read instance metadata and apply it: hostname, SSH public keys (root and
# guest), user data (run if it is a script).  Source: a config drive (block
# device labelled config-2, ISO 9660 or VFAT) when there is one, else the
# metadata service (OpenStack format, EC2 fallback), which needs an address
# (rcS sets GUEST_HAVE_ADDRESS=yes|no).
# Per instance (instance id kept on the boot disk when it is writable),
# user data runs once; without a writable disk it runs on every boot.
# Kernel command line may override: guest.metadata_url=URL guest.metadata_timeout=SECONDS
for arg in $(cat /proc/cmdline 2>/dev/null); do
    case "$arg" in
        guest.metadata_url=*) GUEST_METADATA_URL=${arg#*=} ;;
        guest.metadata_timeout=*) GUEST_METADATA_TIMEOUT=${arg#*=} ;;
    esac
done
MD=${GUEST_METADATA_URL:-http://169.254.169.254}
RUN=/run/guest
LIB=/var/lib/guest
mkdir -p "$RUN/md" "$LIB"
say() { echo "guest: $*"; }

CD_MNT=/run/guest/configdrive
CD_DEV=
find_config_drive() { # mounts the config drive read-only on $CD_MNT; 0 if found
    for i in 1 2 3 4 5; do
        CD_DEV=$(findfs LABEL=config-2 2>/dev/null) && break
        CD_DEV=
        sleep 0.2
    done
    [ -n "$CD_DEV" ] || return 1
    mkdir -p "$CD_MNT"
    mount -o ro -t iso9660 "$CD_DEV" "$CD_MNT" 2>/dev/null ||
        mount -o ro -t vfat "$CD_DEV" "$CD_MNT" 2>/dev/null || return 1
    [ -f "$CD_MNT/openstack/latest/meta_data.json" ] && return 0
    umount "$CD_MNT" 2>/dev/null
    return 1
}

get() { # get PATH FILE -> 0 if fetched (config drive file, or HTTP 2xx)
    rm -f "$2"
    if [ -n "$CD_DEV" ]; then
        [ -f "$CD_MNT$1" ] && cp "$CD_MNT$1" "$2"
        return
    fi
    # (busybox 1.35's "wget -T" crashes; bound the time with timeout instead)
    timeout 5 wget -q -O "$2" "$MD$1" 2>/dev/null && [ -f "$2" ]
}

json_str() { # json_str KEY FILE: first top-level-ish "KEY": "value"
    tr -d '\n' < "$2" | sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p"
}

json_public_keys() { # values of the "public_keys" object, one per line
    tr -d '\n' < "$1" | grep -o '"public_keys"[[:space:]]*:[[:space:]]*{[^}]*}' |
        sed 's/^"public_keys"[[:space:]]*:[[:space:]]*{//; s/}$//' |
        awk -F'"' '{ for (i = 4; i <= NF; i += 4) print $i }' |
        sed 's/\\n$//; s/\\n/ /g; s/\\\//\//g'
}

now() { cut -d. -f1 /proc/uptime; }
source=
limit=${GUEST_METADATA_TIMEOUT:-60}
deadline=$(( $(now) + limit ))
tries=0
if find_config_drive; then
    say "config drive $CD_DEV"
    source=openstack
    get /openstack/latest/meta_data.json "$RUN/md/meta_data.json"
elif [ "${GUEST_HAVE_ADDRESS:-yes}" = no ]; then
    say "metadata skipped: no address"
    exit 1
fi
while [ -z "$source" ]; do
    tries=$((tries + 1))
    if get /openstack/latest/meta_data.json "$RUN/md/meta_data.json"; then source=openstack; break; fi
    if get /latest/meta-data/instance-id "$RUN/md/instance-id"; then source=ec2; break; fi
    [ "$(now)" -lt "$deadline" ] || break
    sleep 1
done
if [ -z "$source" ]; then
    say "metadata failed: no answer from $MD after $tries tries (${limit}s)"
    exit 1
fi

: > "$RUN/md/keys"
if [ "$source" = openstack ]; then
    f=$RUN/md/meta_data.json
    hostname=$(json_str hostname "$f")
    [ -n "$hostname" ] || hostname=$(json_str name "$f")
    iid=$(json_str uuid "$f")
    json_public_keys "$f" > "$RUN/md/keys"
else
    iid=$(cat "$RUN/md/instance-id")
    get /latest/meta-data/hostname "$RUN/md/hostname" && hostname=$(cat "$RUN/md/hostname")
    if get /latest/meta-data/public-keys/ "$RUN/md/public-keys"; then
        sed 's/=.*//' "$RUN/md/public-keys" | while read -r idx; do
            [ -n "$idx" ] || continue
            get "/latest/meta-data/public-keys/$idx/openssh-key" "$RUN/md/key.$idx" &&
                cat "$RUN/md/key.$idx" && echo
        done | grep -v '^$' > "$RUN/md/keys"
    fi
    [ -s "$RUN/md/keys" ] || { get /latest/meta-data/public-keys/0/openssh-key "$RUN/md/key.0" &&
        cat "$RUN/md/key.0" | grep -v '^$' > "$RUN/md/keys"; }
fi
echo "$iid" > "$RUN/instance-id"

# hostname: the short name is the kernel hostname, the full one goes to /etc/hosts.
if [ -n "$hostname" ]; then
    short=${hostname%%.*}
    hostname "$short"
    echo "$short" > /etc/hostname
    if [ "$short" != "$hostname" ]; then
        printf '127.0.1.1\t%s %s\n' "$hostname" "$short" >> /etc/hosts
    else
        printf '127.0.1.1\t%s\n' "$short" >> /etc/hosts
    fi
fi
[ -n "$CD_DEV" ] && source=configdrive
say "metadata ok hostname=${hostname:-none} instance-id=${iid:-none} source=$source"

# SSH keys for root and guest.
nkeys=$(grep -c . "$RUN/md/keys")
for home in /root /home/guest; do
    mkdir -p "$home/.ssh"
    cp "$RUN/md/keys" "$home/.ssh/authorized_keys"
    chmod 700 "$home/.ssh"
    chmod 600 "$home/.ssh/authorized_keys"
done
chown -R guest:guest /home/guest
say "ssh keys installed count=$nkeys (root, guest)"

# User data: once per instance.
if [ -n "$iid" ] && [ "$(cat "$LIB/user-data-done" 2>/dev/null)" = "$iid" ]; then
    say "user-data already processed for instance $iid"
    exit 0
fi
ud=$RUN/user-data
if get /openstack/latest/user_data "$ud" || get /latest/user-data "$ud"; then
    if [ "$(head -c2 "$ud" | od -An -tx1 | tr -d ' \n')" = "1f8b" ]; then
        gunzip -c "$ud" > "$ud.tmp" && mv "$ud.tmp" "$ud"
    fi
    if [ "$(head -c2 "$ud")" = "#!" ]; then
        chmod 700 "$ud"
        say "user-data script start"
        (cd /root && HOME=/root timeout "${GUEST_USERDATA_TIMEOUT:-600}" "$ud" </dev/null)
        rc=$?
        say "user-data script done rc=$rc"
    else
        say "user-data present ($(wc -c < "$ud") bytes, not a script; saved to $ud)"
    fi
else
    say "no user-data"
fi
[ -n "$iid" ] && echo "$iid" > "$LIB/user-data-done"
exit 0
EOF
chmod 755 usr/sbin/guest-metadata

# ------------------------------------------------------------ boot scripts
cat > etc/init.d/rcS <<'EOF'
#!/bin/sh
# Boot: mounts, drivers, DHCP, metadata, SSH.  Markers "guest: ..." on the console.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
say() { echo "guest: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
grep -q '^devtmpfs /dev ' /proc/mounts || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -p /run/guest
hostname -F /etc/hostname
ip link set lo up
syslogd -C256 2>/dev/null
klogd 2>/dev/null

. /etc/os-release
say "starting $PRETTY_NAME"

# Drivers (virtio and friends), in dependency order.
n=0
while read -r m; do
    insmod "$m" 2>/dev/null && n=$((n + 1))
done < /etc/guest/modules
mdev -s
say "modules loaded count=$n"
acpid 2>/dev/null

# Persistent state on the boot disk (FAT partition labelled GUESTBOOT):
# SSH host keys and the per-instance markers survive reboots.
STATE_DEV=
for i in 1 2 3 4 5; do
    STATE_DEV=$(findfs LABEL=GUESTBOOT 2>/dev/null) && break
    sleep 0.2
done
state_load() {
    [ -n "$STATE_DEV" ] || return 1
    mount -t vfat -o ro "$STATE_DEV" /mnt 2>/dev/null || return 1
    [ -d /mnt/state ] && cp -r /mnt/state/. /var/lib/guest/
    umount /mnt
}
state_save() {
    [ -n "$STATE_DEV" ] || return 1
    mount -t vfat -o rw,sync "$STATE_DEV" /mnt 2>/dev/null || return 1
    mkdir -p /mnt/state && cp -r /var/lib/guest/. /mnt/state/
    umount /mnt
}
if state_load; then say "state disk $STATE_DEV"; else say "no state disk (state kept in RAM)"; fi

# Network: DHCP on every NIC, eth0 in the foreground.
ifaces=$(ls /sys/class/net | grep -v '^lo$')
primary_ip=
for ifc in $ifaces; do
    [ -e /sys/class/net/$ifc/device ] || continue
    ip link set "$ifc" up
    udhcpc -i "$ifc" -s /usr/share/udhcpc/default.script -p /run/udhcpc.$ifc.pid \
        -t 10 -T 2 -A 10 -b -S -O staticroutes -O mtu -O search -x hostname:"$(hostname)" \
        >/dev/null 2>&1
    if [ -f /run/guest/dhcp.$ifc ]; then
        . /run/guest/dhcp.$ifc
        say "dhcp ok $ip on $ifc (mask /$mask router=${router:-none} routes=${staticroutes:-none} dns=${dns:-none})"
        [ -n "$primary_ip" ] || primary_ip=$ip
    else
        say "dhcp failed on $ifc (udhcpc keeps trying in the background)"
    fi
done
[ -n "$ifaces" ] || say "dhcp failed: no network interface"

# Metadata (hostname, SSH keys, user data): config drive first, else the
# metadata service (which needs an address).
GUEST_HAVE_ADDRESS=$([ -n "$primary_ip" ] && echo yes || echo no) guest-metadata

# SSH host keys: per instance, generated on first boot and kept on the disk.
iid=$(cat /run/guest/instance-id 2>/dev/null)
saved_iid=$(cat /var/lib/guest/instance-id 2>/dev/null)
if [ -n "$iid" ] && [ -n "$saved_iid" ] && [ "$iid" != "$saved_iid" ]; then
    say "new instance $iid (was $saved_iid): new SSH host keys"
    rm -f /var/lib/guest/dropbear_*_host_key
fi
[ -n "$iid" ] && echo "$iid" > /var/lib/guest/instance-id
generated=
for t in ed25519 ecdsa; do
    key=/var/lib/guest/dropbear_${t}_host_key
    if [ ! -s "$key" ]; then
        dropbearkey -t "$t" -f "$key" >/dev/null 2>&1 && generated="$generated $t"
    fi
    cp "$key" /etc/dropbear/ 2>/dev/null
done
chmod 600 /etc/dropbear/* 2>/dev/null
[ -n "$generated" ] && say "ssh host keys generated:$generated" || say "ssh host keys restored"
echo "-----BEGIN SSH HOST KEY FINGERPRINTS-----"
for k in /etc/dropbear/dropbear_*_host_key; do
    t=${k#/etc/dropbear/dropbear_}; t=${t%_host_key}
    echo "$t $(dropbearkey -y -f "$k" 2>/dev/null | sed -n 's/^Fingerprint: //p') root@$(hostname)"
done
echo "-----END SSH HOST KEY FINGERPRINTS-----"
echo "-----BEGIN SSH HOST KEY KEYS-----"
for k in /etc/dropbear/dropbear_*_host_key; do
    dropbearkey -y -f "$k" 2>/dev/null | grep '^ssh-\|^ecdsa-'
done
echo "-----END SSH HOST KEY KEYS-----"
# -R: an RSA key is generated only if a client asks for one.
dropbear -R -p 22 && say "sshd started port=22"

state_save >/dev/null 2>&1 || true
say "boot complete hostname=$(hostname) ip=${primary_ip:-none} uptime=$(uptime_s)s"
EOF
chmod 755 etc/init.d/rcS

cat > etc/init.d/rcK <<'EOF'
#!/bin/sh
echo "guest: shutting down"
killall dropbear udhcpc acpid klogd syslogd 2>/dev/null
sync
EOF
chmod 755 etc/init.d/rcK

cat > etc/motd <<'EOF'

Guest image: busybox userland in RAM. Boot log: dmesg, /var/log/messages.
Metadata as fetched at boot: /run/guest/md/

EOF

# ------------------------------------------------------------ initramfs
INITRD=$WORK/initrd.gz
(cd "$ROOT" && find . -mindepth 1 | sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 -n > "$INITRD"
log "initramfs $(du -k "$INITRD" | cut -f1) KiB"

# ------------------------------------------------------------ boot disk
cat > "$WORK/syslinux.cfg" <<EOF
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT guest
LABEL guest
  KERNEL /vmlinuz
  APPEND initrd=/initrd.gz console=tty0 console=ttyS0,115200n8
EOF
cp "$KROOT/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
content_kb=$(du -ck "$WORK/vmlinuz" "$INITRD" | tail -n1 | cut -f1)
fs_mb=$(( (content_kb / 1024) + 8 ))
[ "$fs_mb" -ge "$MIN_FS_MB" ] || fs_mb=$MIN_FS_MB
FS=$WORK/fs.img
mkfs.fat -C -n "$FS_LABEL" -i 47554553 -h "$PART_START" "$FS" $((fs_mb * 1024)) >/dev/null
syslinux --install "$FS"
mcopy -i "$FS" "$WORK/vmlinuz" "$INITRD" "$WORK/syslinux.cfg" ::/
echo "guest image $IMAGE_VERSION, kernel $KVER, built $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$WORK/GUEST.TXT"
mcopy -i "$FS" "$WORK/GUEST.TXT" ::/

RAW=$WORK/disk.raw
truncate -s $(( PART_START * 512 + fs_mb * 1024 * 1024 )) "$RAW"
sfdisk -q "$RAW" <<EOF
label: dos
label-id: 0x47554553
start=$PART_START, type=c, bootable
EOF
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$RAW" bs=440 count=1 conv=notrunc status=none
dd if="$FS" of="$RAW" bs=512 seek="$PART_START" conv=notrunc,sparse status=none

# ------------------------------------------------------------ output
OUTDIR=$(dirname "$OUTPUT")
mkdir -p "$OUTDIR"
TMPOUT=$(mktemp "$OUTDIR/.$(basename "$OUTPUT").XXXXXX")
if [ "$FORMAT" = qcow2 ]; then
    qemu-img convert -f raw -O qcow2 "$RAW" "$TMPOUT"
else
    cp --sparse=always "$RAW" "$TMPOUT"
fi
chmod 0644 "$TMPOUT"
mv -f "$TMPOUT" "$OUTPUT"
TMPOUT=

OUTPUT_ABS=$OUTPUT
size=$(stat -c %s "$OUTPUT_ABS")
alloc=$(du -k "$OUTPUT_ABS" | cut -f1)
vsize=$(qemu-img info --output=json "$OUTPUT_ABS" | awk -F'[:,]' '/"virtual-size"/{gsub(/ /,"",$2); print $2; exit}')
md5=$(md5sum "$OUTPUT_ABS" | cut -d' ' -f1)
echo "image:        $OUTPUT_ABS"
echo "format:       $FORMAT"
echo "size:         $size bytes (allocated $alloc KiB, virtual $vsize bytes)"
echo "md5:          $md5"
echo "kernel:       $KVER"
echo "build time:   $(( $(date +%s) - START ))s"
