#!/bin/bash
# Start virtlogd, then libvirtd, if they are not running; idempotent.
#   tools/libvirt.sh start     start what is missing, wait until qemu:///system answers
#   tools/libvirt.sh status    exit 0 when both answer
# Works with systemd as PID 1 and without it (containers and CI machines often have none).
# virtlogd comes first: libvirtd hands every guest's serial console log to it.
# Never defines or starts a libvirt network: the network service owns bridges and DHCP.
set -uo pipefail

VIRTLOGD_SOCK=/run/libvirt/virtlogd-sock
LIBVIRTD_SOCK=/run/libvirt/libvirt-sock

systemd_is_init() { [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; }

# A socket file alone proves nothing after a crash: ask the daemon.
libvirtd_answers() { virsh -q -c qemu:///system version >/dev/null 2>&1; }

virtlogd_running() {
  [ -S "$VIRTLOGD_SOCK" ] || return 1
  local pid
  pid="$(cat /run/virtlogd.pid 2>/dev/null)" || pid=
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then return 0; fi
  pgrep -x virtlogd >/dev/null 2>&1
}

# The first libvirtd start probes QEMU's capabilities: give it a minute.
wait_for() {
  local what=$1 check=$2 deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do "$check" && return 0; sleep 0.2; done
  echo "libvirt.sh: $what did not come up within 60 s" >&2
  return 1
}

# Where udev does not run (containers), /dev/kvm stays root-only.  libvirt checks it as the
# QEMU user (group kvm) yet probes QEMU as root; the two answers differ, so it would throw
# away its QEMU capability cache and re-probe (30 s and more) on every domain definition.
# Give /dev/kvm the owner and mode Debian's udev rule gives it.
fix_kvm_permissions() {
  [ -c /dev/kvm ] || return 0
  getent group kvm >/dev/null || return 0
  if [ "$(stat -c %G:%a /dev/kvm)" != "kvm:660" ]; then
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  fi
}

start_virtlogd() {
  virtlogd_running && return 0
  echo "starting virtlogd"
  if systemd_is_init; then
    systemctl start virtlogd.socket virtlogd.service >/dev/null 2>&1
  else
    mkdir -p /run/libvirt
    rm -f "$VIRTLOGD_SOCK"
    virtlogd --daemon --pid-file /run/virtlogd.pid
  fi
  wait_for virtlogd virtlogd_running
}

start_libvirtd() {
  libvirtd_answers && return 0
  echo "starting libvirtd"
  if systemd_is_init; then
    systemctl start libvirtd.socket libvirtd.service >/dev/null 2>&1
  else
    # A stale pid file from a killed daemon would make libvirtd refuse to start.
    local pid
    pid="$(cat /run/libvirtd.pid 2>/dev/null)" || pid=
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then rm -f /run/libvirtd.pid; fi
    libvirtd --daemon --pid-file /run/libvirtd.pid
  fi
  wait_for libvirtd libvirtd_answers
}

case "${1:-start}" in
  start) fix_kvm_permissions; start_virtlogd && start_libvirtd ;;
  status) virtlogd_running && libvirtd_answers ;;
  *) echo "usage: $0 start|status" >&2; exit 2 ;;
esac
