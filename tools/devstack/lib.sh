# Shared functions of devstack.sh: passwords, databases, daemons, openrc.

step() { printf '\n== %s\n' "$*"; }

# Passwords are generated once and kept in $STATE_DIR/passwords (mode 600).
ensure_passwords() {
  local file="$STATE_DIR/passwords"
  umask 077
  touch "$file"
  for name in ADMIN_PASSWORD DEMO_PASSWORD SERVICE_PASSWORD METADATA_SECRET \
              HASH_PATH_PREFIX HASH_PATH_SUFFIX; do
    if ! grep -q "^$name=" "$file"; then
      echo "$name=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> "$file"
    fi
  done
  umask 022
  set -a; source "$file"; set +a
}

ensure_rabbit_vhost() {
  if ! rabbitmqctl -q list_vhosts | grep -qx "$RABBIT_VHOST"; then
    rabbitmqctl -q add_vhost "$RABBIT_VHOST"
  fi
  rabbitmqctl -q set_permissions -p "$RABBIT_VHOST" guest '.*' '.*' '.*' >/dev/null
}

# database_url <service>: create the service's database if needed and print its URL.
database_url() {
  local name="${DB_PREFIX:-cirrostack}_$1"
  case "$DATABASE" in
    mysql)
      mysql -uroot -h127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS $name CHARACTER SET utf8mb4"
      echo "mysql+pymysql://root@127.0.0.1/$name?charset=utf8mb4" ;;
    postgresql)
      psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='$name'" \
        | grep -q 1 || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" >/dev/null
      echo "postgresql://postgres@127.0.0.1/$name" ;;
    sqlite)
      echo "sqlite:///$STATE_DIR/data/$1.sqlite" ;;
    *) echo "devstack: DATABASE must be mysql, postgresql or sqlite" >&2; exit 2 ;;
  esac
}

# auth_section: the [keystone_authtoken] block every service's config carries.
auth_section() {
  cat <<EOT
[keystone_authtoken]
www_authenticate_uri = http://$HOST_IP:5000
auth_url = http://$HOST_IP:5000
username = $1
password = $SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
EOT
}

# run_daemon <name> <command...>: start in the background with a log and a pid file.
run_daemon() {
  local name=$1; shift
  local log="$STATE_DIR/logs/$name.log" pidfile="$STATE_DIR/run/$name.pid"
  echo "  $name  (log: $log)"
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

# wait_url <url> <name>: wait until an API answers.
wait_url() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "devstack: $2 did not answer at $1; see $STATE_DIR/logs/" >&2
  return 1
}

stop_all() {
  local quiet=${1:-}
  shopt -s nullglob
  local pidfiles=("$STATE_DIR"/run/*.pid)
  for pidfile in "${pidfiles[@]}"; do
    local pid; pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      [ -z "$quiet" ] && echo "stopping $(basename "$pidfile" .pid) ($pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pidfile in "${pidfiles[@]}"; do
    local pid; pid=$(cat "$pidfile")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  return 0
}

# Health URL of each daemon that serves HTTP (others are checked by pid only).
declare -A HEALTH_URLS=()

status_all() {
  shopt -s nullglob
  printf '%-28s %-8s %-8s %s\n' DAEMON PID STATE HEALTH
  for pidfile in "$STATE_DIR"/run/*.pid; do
    local name pid state health=-
    name=$(basename "$pidfile" .pid); pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then state=running; else state=dead; fi
    local url="${HEALTH_URLS[$name]:-}"
    [ -z "$url" ] && url=$(cat "$STATE_DIR/run/$name.health" 2>/dev/null || true)
    if [ -n "$url" ]; then
      local code; code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
      health="HTTP $code from $url"
    fi
    printf '%-28s %-8s %-8s %s\n' "$name" "$pid" "$state" "$health"
  done
}

write_openrc() {
  cat > "$REPO/openrc" <<EOT
# Source me: "source openrc admin" or "source openrc demo" (written by devstack.sh).
_cs_user=\${1:-admin}
case "\$_cs_user" in
  admin) export OS_USERNAME=admin OS_PROJECT_NAME=admin OS_PASSWORD='$ADMIN_PASSWORD' ;;
  demo) export OS_USERNAME=demo OS_PROJECT_NAME=demo OS_PASSWORD='$DEMO_PASSWORD' ;;
  *) echo "usage: source openrc [admin|demo]"; return 1 ;;
esac
export OS_AUTH_URL=http://$HOST_IP:5000/v3
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default
export OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=RegionOne OS_INTERFACE=public
export PATH="$VENV/bin:\$PATH"
unset _cs_user
EOT
  chmod 600 "$REPO/openrc"
}

# Registrations are collected by each service's <name>_register and sent in one go.
REG_USERS=()
REG_ENDPOINTS=()
# Functions to run once users and endpoints exist (e.g. uploading the guest image).
AFTER_REGISTRATION=()

# register_user <name> <password> <project> <role...>
register_user() {
  local name=$1 password=$2 project=$3; shift 3
  local roles; roles=$(printf '"%s",' "$@"); roles="[${roles%,}]"
  REG_USERS+=("{\"name\": \"$name\", \"password\": \"$password\", \"project\": \"$project\", \"roles\": $roles}")
}

# register_endpoint <type> <name> <url>
register_endpoint() {
  REG_ENDPOINTS+=("{\"type\": \"$1\", \"name\": \"$2\", \"url\": \"$3\"}")
}

# register_service_user <name>: the service's own user, admin and service on project service.
register_service_user() {
  register_user "$1" "$SERVICE_PASSWORD" service admin service
}

flush_registrations() {
  local spec="$STATE_DIR/run/register.json"
  local users endpoints
  users=$(IFS=,; echo "${REG_USERS[*]:-}")
  endpoints=$(IFS=,; echo "${REG_ENDPOINTS[*]:-}")
  umask 077
  echo "{\"users\": [$users], \"endpoints\": [$endpoints]}" > "$spec"
  umask 022
  OS_AUTH_URL="http://$HOST_IP:5000/v3" OS_USERNAME=admin OS_PASSWORD="$ADMIN_PASSWORD" \
  OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default \
    "$VENV/bin/python" "$REPO/tools/devstack/register.py" "$spec"
  rm -f "$spec"
}
