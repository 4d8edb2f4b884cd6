#!/bin/bash
# Single-node cirrostack: install, configure and start the whole cloud in the background.
#   ./devstack.sh [start]   install what is missing, (re)start every daemon, write ./openrc
#   ./devstack.sh stop      stop every daemon
#   ./devstack.sh status    each daemon, its pid and its health
#   ./devstack.sh clean     stop, then remove the namespaces and bridges the agents made
# Settings (environment): STATE_DIR (default ./state), OPENRC (default ./openrc),
# HOST_IP (default 127.0.0.1),
# DATABASE=mysql|postgresql|sqlite (default mysql, the machine's MariaDB), RABBIT_VHOST
# (default cirrostack), DB_PREFIX (default cirrostack), NETWORK_PUBLIC_CIDR (default
# 172.24.4.0/24), NETWORK_PUBLIC_IF (default cspub: veth cspub-h/cspub-p) and
# NETWORK_CHAIN_PREFIX (default cs: the security-group iptables chains), TGT_PORTAL
# (default $HOST_IP:3260), TGT_CONTROL_PORT (default 0: the iSCSI target daemon) and
# API_WORKERS (default: one per core, 1 with sqlite; processes of each API daemon).
set -euo pipefail
# Everything devstack writes (configs with passwords, databases, keys, images, logs) and
# every daemon it starts creates files for root only; see secure_state.
umask 077
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export REPO
export STATE_DIR="${STATE_DIR:-$REPO/state}"
# Where the credentials file goes (a test cloud writes its own, not the repository's).
export OPENRC="${OPENRC:-$REPO/openrc}"
export HOST_IP="${HOST_IP:-127.0.0.1}"
export DATABASE="${DATABASE:-mysql}"
export API_WORKERS="${API_WORKERS:-$(nproc)}"
# SQLite takes one writer at a time: several API processes on one file would fail their
# requests with "database is locked", so a SQLite cloud runs one process per API.
[ "$DATABASE" = sqlite ] && API_WORKERS=1
# Each cloud on this machine talks on its own RabbitMQ virtual host.
export RABBIT_VHOST="${RABBIT_VHOST:-cirrostack}"
export TRANSPORT_URL="amqp://guest:guest@127.0.0.1:5672/$RABBIT_VHOST"
export VENV="$REPO/.venv"
source "$REPO/tools/devstack/lib.sh"
for lib in "$REPO"/tools/devstack/services/*.sh; do source "$lib"; done

# Services in start order; each file in tools/devstack/services defines
# <name>_configure, <name>_start and <name>_register.
SERVICES=(identity objectstore image network compute blockstore dashboard)

start() {
  local started=$SECONDS
  step "installing packages and the Python environment"
  "$REPO/tools/install.sh"
  mkdir -p "$STATE_DIR"/{etc,logs,run,data}
  secure_state
  ensure_passwords
  ensure_rabbit_vhost
  stop_all quiet
  for svc in "${SERVICES[@]}"; do
    step "configuring $svc"
    "${svc}_configure"
  done
  for svc in "${SERVICES[@]}"; do
    step "starting $svc"
    "${svc}_start"
  done
  step "registering users, projects and endpoints"
  for svc in "${SERVICES[@]}"; do "${svc}_register"; done
  flush_registrations
  write_openrc
  for hook in "${AFTER_REGISTRATION[@]}"; do "$hook"; done
  echo
  echo "cirrostack is running (state, configs and logs in $STATE_DIR)"
  echo "  source $OPENRC admin    # or: source $OPENRC demo"
  echo "  openstack catalog list"
  echo "started in $((SECONDS - started)) s"
}

case "${1:-start}" in
  start) start ;;
  stop) stop_all ;;
  clean)
    # Stop, then remove the datapath the agents made; data and configs stay.
    stop_all
    for svc in "${SERVICES[@]}"; do
      if declare -F "${svc}_clean" >/dev/null; then "${svc}_clean"; fi
    done ;;
  status) status_all ;;
  *) echo "usage: $0 [start|stop|status|clean]" >&2; exit 2 ;;
esac
