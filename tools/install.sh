#!/bin/bash
# Install what cirrostack needs on a Debian 12 machine, idempotently:
#   tools/install.sh          system packages + .venv with the runtime requirements
#   tools/install.sh --test   the same plus the test requirements
# A second run with nothing changed takes a second or two (stamp files).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
WITH_TESTS=0
[ "${1:-}" = "--test" ] && WITH_TESTS=1

# System packages every service uses on this host (services, datapath, guests, tools).
PACKAGES=(
  python3 python3-venv python3-dev gcc pkg-config curl ca-certificates procps psmisc
  rabbitmq-server mariadb-server postgresql redis-server
  iproute2 iptables ebtables bridge-utils dnsmasq-base dnsmasq-utils conntrack ipset
  iputils-ping netcat-openbsd busybox-static kmod
  qemu-system-x86 qemu-utils qemu-block-extra
  dropbear-bin syslinux syslinux-common mtools dosfstools cpio xz-utils
  libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients libvirt-dev
  genisoimage e2fsprogs util-linux binutils tgt novnc websockify
  supervisor
)

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "tools/install.sh: installing system packages needs root" >&2
    exit 1
  fi
}

# What the test suite needs on top: headless Chromium and its driver (dashboard browser tests).
TEST_PACKAGES=(chromium chromium-driver fonts-dejavu-core)

install_packages() {
  local missing=()
  [ $WITH_TESTS = 1 ] && PACKAGES+=("${TEST_PACKAGES[@]}")
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    need_root
    echo "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d keeps apt from failing where there is no init system to start services.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

python_bin() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  echo "tools/install.sh: Python 3.11 or newer with venv is required" >&2
  exit 1
}

install_venv() {
  local reqs=("$REPO/requirements.txt")
  [ $WITH_TESTS = 1 ] && reqs+=("$REPO/test-requirements.txt")
  local stamp_file="$VENV/.cirrostack-stamp-$WITH_TESTS"
  local stamp
  # The top-level packages count too: an editable install only maps those present when it ran.
  stamp="$( (cat "${reqs[@]}" "$REPO/setup.cfg"; cd "$REPO" && ls -d */__init__.py) | sha256sum | cut -c1-32)"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    return
  fi
  [ -x "$VENV/bin/python" ] || "$(python_bin)" -m venv "$VENV"
  local args=() log
  for r in "${reqs[@]}"; do args+=(-r "$r"); done
  log="$(mktemp)"
  echo "installing Python packages into $VENV"
  if ! { "$VENV/bin/pip" install -q --upgrade pip setuptools wheel &&
         "$VENV/bin/pip" install -q "${args[@]}" &&
         "$VENV/bin/pip" install -q -e "$REPO"; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    echo "tools/install.sh: pip failed" >&2; exit 1
  fi
  rm -f "$log"
  "$VENV/bin/python" -c 'import common, identity, webob, eventlet, sqlalchemy, kombu, libvirt' \
    || { echo "tools/install.sh: the virtual environment is broken" >&2; exit 1; }
  echo "$stamp" > "$stamp_file"
}

install_packages
install_venv
"$REPO/tools/services.sh" start
