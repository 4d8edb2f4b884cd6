# Dashboard: the web pages on port 8000 over the services' public APIs (no database of its
# own; sessions in the daemon's memory unless DASHBOARD_SESSION_STORE names a Redis URL).

dashboard_configure() {
  local etc="$STATE_DIR/etc/dashboard" data="$STATE_DIR/data/dashboard"
  mkdir -p "$etc" "$data"
  cp "$REPO/etc/dashboard/api-paste.ini" "$etc/"
  cat > "$etc/dashboard.conf" <<EOT
[DEFAULT]
state_path = $data

[api]
bind_host = $HOST_IP
bind_port = 8000
paste_config = api-paste.ini

[dashboard]
auth_url = http://$HOST_IP:5000/v3
region_name = RegionOne
session_store = ${DASHBOARD_SESSION_STORE:-memory://}
secret_key_file = $data/secret.key
EOT
}

dashboard_start() {
  run_daemon dashboard "$VENV/bin/dashboard" --config-file "$STATE_DIR/etc/dashboard/dashboard.conf"
  echo "http://$HOST_IP:8000/auth/login" > "$STATE_DIR/run/dashboard.health"
  wait_url "http://$HOST_IP:8000/auth/login" dashboard
}

dashboard_register() {
  AFTER_REGISTRATION+=(dashboard_announce)
}

dashboard_announce() {
  echo "  dashboard: http://$HOST_IP:8000/ (log in as admin or demo, passwords in $STATE_DIR/passwords)"
}
