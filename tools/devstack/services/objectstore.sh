# Object store: one storage node serving 4 devices in 4 zones (3 replicas), the account,
# container and object servers, the consistency daemons, container sync (one realm, this
# cluster) and the proxy on port 8080.

OBJECTSTORE_DEVICES=(d1 d2 d3 d4)
OBJECTSTORE_SYNC_REALM=devstack
OBJECTSTORE_SYNC_CLUSTER=local

objectstore_configure() {
  local etc="$STATE_DIR/etc/objectstore" data="$STATE_DIR/data/objectstore"
  mkdir -p "$etc" "$data/rings"
  for dev in "${OBJECTSTORE_DEVICES[@]}"; do mkdir -p "$data/devices/$dev"; done
  local common_section="[objectstore]
hash_path_prefix = $HASH_PATH_PREFIX
hash_path_suffix = $HASH_PATH_SUFFIX
ring_dir = $data/rings
container_sync_realms_file = $etc/container-sync-realms.conf"
  # One realm holding this cluster: containers of this cloud sync with each other
  # (//$OBJECTSTORE_SYNC_REALM/$OBJECTSTORE_SYNC_CLUSTER/<account>/<container>).
  cat > "$etc/container-sync-realms.conf" <<EOT
[$OBJECTSTORE_SYNC_REALM]
key = $(secret CONTAINER_SYNC_REALM_KEY)
cluster_$OBJECTSTORE_SYNC_CLUSTER = http://$HOST_IP:8080/v1/
EOT
  cat > "$etc/objectstore.conf" <<EOT
[DEFAULT]
state_path = $data

$common_section

[storage]
devices = $data/devices
bind_ip = $HOST_IP

[object-server]
bind_host = $HOST_IP
bind_port = 6200

[container-server]
bind_host = $HOST_IP
bind_port = 6201

[account-server]
bind_host = $HOST_IP
bind_port = 6202

[replicator]
interval = 30

[auditor]
interval = 300

[updater]
interval = 60

[expirer]
interval = 60

[container-sync]
interval = 5
EOT
  cp "$REPO/etc/objectstore/proxy-paste.ini" "$etc/"
  cat > "$etc/proxy-server.conf" <<EOT
[DEFAULT]
state_path = $data
transport_url = $TRANSPORT_URL

[api]
workers = $API_WORKERS
bind_host = $HOST_IP
bind_port = 8080
paste_config = proxy-paste.ini

$common_section

$(auth_section objectstore)
delay_auth_decision = true
EOT
  # Rings are built once; a rerun keeps them (and the data placed by them).
  local kind port
  for kind in object container account; do
    case $kind in object) port=6200 ;; container) port=6201 ;; account) port=6202 ;; esac
    local builder="$data/rings/$kind.builder"
    [ -f "$data/rings/$kind.ring.json.gz" ] && continue
    "$VENV/bin/objectstore-ring-builder" "$builder" create 10 3 1 >/dev/null
    local zone=1
    for dev in "${OBJECTSTORE_DEVICES[@]}"; do
      "$VENV/bin/objectstore-ring-builder" "$builder" add "r1z$zone-$HOST_IP:$port/$dev" 100 \
        >/dev/null
      zone=$((zone + 1))
    done
    "$VENV/bin/objectstore-ring-builder" "$builder" rebalance >/dev/null
  done
}

objectstore_start() {
  local conf="$STATE_DIR/etc/objectstore/objectstore.conf"
  for daemon in object-server container-server account-server replicator auditor updater \
                expirer container-sync; do
    run_daemon "objectstore-$daemon" "$VENV/bin/objectstore-$daemon" --config-file "$conf"
  done
  run_daemon objectstore-proxy "$VENV/bin/objectstore-proxy" \
    --config-file "$STATE_DIR/etc/objectstore/proxy-server.conf"
  echo "http://$HOST_IP:8080/info" > "$STATE_DIR/run/objectstore-proxy.health"
  wait_url "http://$HOST_IP:8080/info" objectstore-proxy
}

objectstore_register() {
  register_service_user objectstore
  # Reseller admins reach every account (account quotas are theirs to set).
  register_role ResellerAdmin
  register_endpoint object-store swift "http://$HOST_IP:8080/v1/AUTH_\$(project_id)s"
}
