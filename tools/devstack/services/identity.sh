# Identity: identity-api on port 5000, bootstrap of admin, demo and service users.

identity_configure() {
  local etc="$STATE_DIR/etc/identity"
  mkdir -p "$etc" "$STATE_DIR/data/identity"
  cp "$REPO/etc/identity/api-paste.ini" "$REPO/etc/identity/policy.yaml" "$etc/"
  cat > "$etc/identity.conf" <<EOT
[DEFAULT]
state_path = $STATE_DIR/data/identity
transport_url = $TRANSPORT_URL

[api]
workers = $API_WORKERS
bind_host = $HOST_IP
bind_port = 5000
public_endpoint = http://$HOST_IP:5000

[database]
connection = $(database_url identity)

[identity]
key_repository = $STATE_DIR/data/identity/keys

[oslo_policy]
policy_file = policy.yaml
EOT
  "$VENV/bin/identity-manage" --config-file "$etc/identity.conf" bootstrap \
    --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-public-url "http://$HOST_IP:5000" \
    >/dev/null
}

identity_start() {
  run_daemon identity-api "$VENV/bin/identity-api" \
    --config-file "$STATE_DIR/etc/identity/identity.conf"
  echo "http://$HOST_IP:5000/v3" > "$STATE_DIR/run/identity-api.health"
  wait_url "http://$HOST_IP:5000/v3" identity-api
}

identity_register() {
  register_user demo "$DEMO_PASSWORD" demo member
}
