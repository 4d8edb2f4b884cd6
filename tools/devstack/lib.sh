# Shared functions of devstack.sh: passwords, databases, daemons, openrc.

step() { printf '\n== %s\n' "$*"; }

# Nothing under $STATE_DIR is for other local users: configs hold passwords and the ring's
# hash prefix, data holds databases, keys and images, logs may quote requests. devstack.sh
# runs with umask 077 (so do the daemons it starts); this also closes what an earlier run
# left open. Only the way to the DHCP agent's dnsmasq files stays passable: dnsmasq reads
# them as nobody, and the agent makes those files (and nothing else) readable.
secure_state() {
  chmod -R go-rwx "$STATE_DIR"
  chmod o+x "$STATE_DIR" "$STATE_DIR/data"
}

# secret <NAME>: the value of NAME in $STATE_DIR/passwords (mode 600), generated the first
# time it is asked for.
secret() {
  local file="$STATE_DIR/passwords" value
  touch "$file"
  chmod 600 "$file"
  value=$(sed -n "s/^$1=//p" "$file" | head -n 1)
  if [ -z "$value" ]; then
    value=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    echo "$1=$value" >> "$file"
  fi
  echo "$value"
}

# Passwords are generated once and kept in $STATE_DIR/passwords.
ensure_passwords() {
  for name in ADMIN_PASSWORD DEMO_PASSWORD SERVICE_PASSWORD METADATA_SECRET \
              HASH_PATH_PREFIX HASH_PATH_SUFFIX; do
    secret "$name" >/dev/null
  done
  set -a; source "$STATE_DIR/passwords"; set +a
}

ensure_rabbit_vhost() {
  if ! rabbitmqctl -q list_vhosts | grep -qx "$RABBIT_VHOST"; then
    rabbitmqctl -q add_vhost "$RABBIT_VHOST"
  fi
  rabbitmqctl -q set_permissions -p "$RABBIT_VHOST" guest '.*' '.*' '.*' >/dev/null
}

# database_url <service>: create the service's database and its own database user (named
# like the database, with a generated password, granted that database only) if needed, and
# print the URL the service connects with. The administrator accounts (MariaDB root,
# PostgreSQL postgres) are used here only, never by a service.
database_url() {
  local name="${DB_PREFIX:-cirrostack}_$1" password
  case "$DATABASE" in
    mysql)
      password=$(secret "DB_PASSWORD_${1^^}")
      mysql -uroot -h127.0.0.1 <<EOSQL
CREATE DATABASE IF NOT EXISTS \`$name\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$name'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$name'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$name'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER '$name'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`$name\`.* TO '$name'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$name\`.* TO '$name'@'localhost';
EOSQL
      echo "mysql+pymysql://$name:$password@127.0.0.1/$name?charset=utf8mb4" ;;
    postgresql)
      password=$(secret "DB_PASSWORD_${1^^}")
      local pg=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q)
      "${pg[@]}" >/dev/null <<EOSQL
DO \$\$BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$name') THEN
    CREATE ROLE "$name";
  END IF;
END\$\$;
ALTER ROLE "$name" LOGIN PASSWORD '$password';
EOSQL
      "${pg[@]}" -tc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1 \
        || "${pg[@]}" -c "CREATE DATABASE \"$name\" OWNER \"$name\"" >/dev/null
      "${pg[@]}" -c "ALTER DATABASE \"$name\" OWNER TO \"$name\"" >/dev/null
      "${pg[@]}" -c "REVOKE ALL ON DATABASE \"$name\" FROM PUBLIC" >/dev/null
      # Tables an earlier run created as postgres become the service's own.
      "${pg[@]}" -d "$name" >/dev/null <<EOSQL
DO \$\$DECLARE r record; BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
             AND pg_get_userbyid(c.relowner) <> '$name'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid
                             AND d.deptype IN ('a', 'i')) LOOP
    EXECUTE format('ALTER %s public.%I OWNER TO %I',
                   CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                  WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                   r.relname, '$name');
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype = 'e'
             AND pg_get_userbyid(t.typowner) <> '$name' LOOP
    EXECUTE format('ALTER TYPE public.%I OWNER TO %I', r.typname, '$name');
  END LOOP;
END\$\$;
EOSQL
      echo "postgresql://$name:$password@127.0.0.1/$name" ;;
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

# Every daemon runs under this cloud's own supervisord (Debian's supervisor package), which
# restarts it when it dies; tools/devstack/supervise.py writes its configuration.
supervise() { "$VENV/bin/python" "$REPO/tools/devstack/supervise.py" "$@"; }
supervisor_ctl() { supervisorctl -c "$STATE_DIR/etc/supervisord.conf" "$@"; }
# A process that exists and is not a zombie (a killed supervisord's children are reaped by
# whoever adopts them, maybe late).
alive() {
  local state; state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "${state:0:1}" != Z ]
}

any_alive() {
  for p in "$@"; do alive "$p" && return 0; done
  return 1
}

# supervisor_running: this cloud's supervisord answers on its socket.
supervisor_running() { supervisor_ctl pid >/dev/null 2>&1; }

ensure_supervisor() {
  supervisor_running && return 0
  supervise main-conf "$STATE_DIR"
  supervisord -c "$STATE_DIR/etc/supervisord.conf" >/dev/null 2>&1 </dev/null
  for _ in $(seq 1 50); do
    supervisor_ctl pid >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "devstack: supervisord did not start; see $STATE_DIR/logs/supervisord.log" >&2
  return 1
}

# run_daemon <name> <command...>: start under the supervisor, logging to logs/<name>.log.
run_daemon() {
  local name=$1; shift
  echo "  $name  (log: $STATE_DIR/logs/$name.log)"
  supervise program "$STATE_DIR" "$name" "$PWD" -- "$@"
  ensure_supervisor
  supervisor_ctl reread >/dev/null
  supervisor_ctl update "$name" >/dev/null
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

# stop_all [quiet]: stop every daemon (SIGTERM, SIGKILL after 10 s) and the supervisor.
stop_all() {
  local quiet=${1:-} pid
  if supervisor_running; then
    pid=$(supervisor_ctl pid)
    [ -z "$quiet" ] && supervisor_ctl status | awk '$2 == "RUNNING" {print "stopping " $1}'  || true
    supervisor_ctl shutdown >/dev/null 2>&1 || kill -TERM "$pid"
    for _ in $(seq 1 300); do alive "$pid" || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # What a supervisord that was killed (or did not finish stopping) left running.
  if [ -x "$VENV/bin/python" ]; then
    local orphans; orphans=$(supervise orphans "$STATE_DIR")
    if [ -n "$orphans" ]; then
      [ -z "$quiet" ] && echo "stopping daemons left by a dead supervisor: $orphans"
      kill -TERM $orphans 2>/dev/null || true
      for _ in $(seq 1 50); do any_alive $orphans || break; sleep 0.2; done
      kill -KILL $orphans 2>/dev/null || true
    fi
  fi
  # A fresh start adds its daemons one by one, in order.
  rm -f "$STATE_DIR"/etc/supervisor/*.conf
  stop_unsupervised "$quiet"
}

# Daemons an older devstack started with pid files (before the supervisor).
stop_unsupervised() {
  shopt -s nullglob
  local pidfiles=("$STATE_DIR"/run/*.pid)
  for pidfile in "${pidfiles[@]}"; do
    local pid; pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      [ -z "$1" ] && echo "stopping $(basename "$pidfile" .pid) ($pid)"
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

# Each daemon: pid, state, restarts and last exit reason (from the supervisor), health (the
# URL in run/<name>.health of a daemon that serves HTTP).
status_all() {
  supervise status "$STATE_DIR"
}

write_openrc() {
  cat > "$OPENRC" <<EOT
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
  chmod 600 "$OPENRC"
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

# register_role <name>: a role that exists without being assigned here (e.g. ResellerAdmin,
# which the object store honours and tempest assigns to its own users).
REG_ROLES=()
register_role() {
  REG_ROLES+=("\"$1\"")
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
  local users endpoints roles
  users=$(IFS=,; echo "${REG_USERS[*]:-}")
  endpoints=$(IFS=,; echo "${REG_ENDPOINTS[*]:-}")
  roles=$(IFS=,; echo "${REG_ROLES[*]:-}")
  echo "{\"users\": [$users], \"roles\": [$roles], \"endpoints\": [$endpoints]}" > "$spec"
  OS_AUTH_URL="http://$HOST_IP:5000/v3" OS_USERNAME=admin OS_PASSWORD="$ADMIN_PASSWORD" \
  OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default \
    "$VENV/bin/python" "$REPO/tools/devstack/register.py" "$spec"
  rm -f "$spec"
}
