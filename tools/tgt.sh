#!/bin/bash
# Start tgtd (the userspace iSCSI target) if it is not running; idempotent.
#   tools/tgt.sh start     start it unless it answers on its control port, wait until it does
#   tools/tgt.sh status    exit 0 when it answers
#   tools/tgt.sh stop      stop the tgtd this script started on that control port (pid file)
# Environment:
#   TGT_PORTAL        address:port the iSCSI portal listens on (default 127.0.0.1:3260);
#                     a multi-host cloud sets the storage network address here
#   TGT_CONTROL_PORT  management port (tgtd -C / tgtadm -C; default 0, tgtd's own): a second
#                     tgtd on another control port and portal is independent of the first
# With systemd as PID 1 and the default control port, the distribution's tgt unit is used;
# without systemd (containers, CI) tgtd is started directly.  tgtd keeps no targets across
# a restart: the volume service re-creates them (ensure_export).
set -uo pipefail

PORTAL="${TGT_PORTAL:-127.0.0.1:3260}"
CONTROL="${TGT_CONTROL_PORT:-0}"
PIDFILE="/run/cirrostack-tgtd-$CONTROL.pid"

case "$CONTROL" in ''|*[!0-9]*) echo "tgt.sh: TGT_CONTROL_PORT must be a number" >&2; exit 2 ;; esac

systemd_is_init() { [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; }

answers() { tgtadm -C "$CONTROL" --lld iscsi --mode target --op show >/dev/null 2>&1; }

wait_for_tgtd() {
  local deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do answers && return 0; sleep 0.2; done
  echo "tgt.sh: tgtd did not answer on control port $CONTROL within 30 s" >&2
  return 1
}

start() {
  answers && return 0
  command -v tgtd >/dev/null || { echo "tgt.sh: tgtd is not installed (tools/install.sh)" >&2; return 1; }
  echo "starting tgtd (portal $PORTAL, control port $CONTROL)"
  if [ "$CONTROL" = 0 ] && systemd_is_init && systemctl cat tgt.service >/dev/null 2>&1; then
    systemctl start tgt.service
  else
    # A stale pid file of a killed tgtd is harmless: tgtd writes its own.
    tgtd -C "$CONTROL" --iscsi "portal=$PORTAL" --pid-file "$PIDFILE"
  fi
  wait_for_tgtd
}

# Running and not a zombie (a daemon's exit is reaped by PID 1, maybe late).
running() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }

stop() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null)" || pid=
  if running "$pid"; then
    # tgtd ignores SIGTERM; it exits when told to delete the system.  Offline first: the
    # initiators are then dropped cleanly instead of mid-command.
    tgtadm -C "$CONTROL" --op update --mode sys --name State --value offline >/dev/null 2>&1
    tgtadm -C "$CONTROL" --op delete --mode system >/dev/null 2>&1
    local deadline=$((SECONDS + 15))
    while running "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    running "$pid" && kill -9 "$pid"
  fi
  rm -f "$PIDFILE"
  # tgtd leaves its management socket behind; a private one's is ours to remove.
  if [ "$CONTROL" != 0 ]; then rm -f "/var/run/tgtd/socket.$CONTROL" "/var/run/tgtd/socket.$CONTROL.lock"; fi
}

case "${1:-start}" in
  start) start ;;
  status) answers ;;
  stop) stop ;;
  *) echo "usage: $0 start|status|stop" >&2; exit 2 ;;
esac
