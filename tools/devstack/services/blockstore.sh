# Block storage: tgtd (iSCSI target), blockstore-api on port 8776, blockstore-scheduler and
# one blockstore-volume on the file backend (sparse files in the state directory, exported
# by tgt with per-volume CHAP), backups to the object store as the blockstore user.
# TGT_PORTAL (default $HOST_IP:3260) and TGT_CONTROL_PORT (default 0) choose the tgtd; a
# second cloud on this machine uses its own control port and portal address.

BLOCKSTORE_TGT_PORTAL="${TGT_PORTAL:-$HOST_IP:3260}"
BLOCKSTORE_TGT_CONTROL="${TGT_CONTROL_PORT:-0}"

blockstore_configure() {
  local etc="$STATE_DIR/etc/blockstore" data="$STATE_DIR/data/blockstore"
  mkdir -p "$etc" "$data/volumes"
  cp "$REPO/etc/blockstore/api-paste.ini" "$REPO/etc/blockstore/policy.yaml" "$etc/"
  cat > "$etc/blockstore.conf" <<EOT
[DEFAULT]
state_path = $data
transport_url = $TRANSPORT_URL

[api]
workers = $API_WORKERS
bind_host = $HOST_IP
bind_port = 8776
public_endpoint = http://$HOST_IP:8776

[database]
connection = $(database_url blockstore)

$(auth_section blockstore)

[backend]
volume_driver = file
volume_backend_name = file
volumes_dir = $data/volumes
target_ip_address = ${BLOCKSTORE_TGT_PORTAL%:*}
target_port = ${BLOCKSTORE_TGT_PORTAL##*:}
tgt_control_port = $BLOCKSTORE_TGT_CONTROL

[service_user]
auth_url = http://$HOST_IP:5000/v3
username = blockstore
password = $SERVICE_PASSWORD
project_name = service
region_name = RegionOne

[oslo_policy]
policy_file = policy.yaml
EOT
  # The only place the schema changes; it also makes the default volume type.
  "$VENV/bin/blockstore-manage" --config-file "$etc/blockstore.conf" db-sync >/dev/null
}

blockstore_start() {
  local conf="$STATE_DIR/etc/blockstore/blockstore.conf"
  TGT_PORTAL="$BLOCKSTORE_TGT_PORTAL" TGT_CONTROL_PORT="$BLOCKSTORE_TGT_CONTROL" \
    "$REPO/tools/tgt.sh" start
  run_daemon blockstore-api "$VENV/bin/blockstore-api" --config-file "$conf"
  echo "http://$HOST_IP:8776/" > "$STATE_DIR/run/blockstore-api.health"
  wait_url "http://$HOST_IP:8776/" blockstore-api
  run_daemon blockstore-scheduler "$VENV/bin/blockstore-scheduler" --config-file "$conf"
  run_daemon blockstore-volume "$VENV/bin/blockstore-volume" --config-file "$conf"
}

blockstore_register() {
  register_service_user blockstore
  # Both service types clients look up: block-storage (current) and volumev3 (older).
  register_endpoint block-storage cinder "http://$HOST_IP:8776/v3/\$(project_id)s"
  register_endpoint volumev3 cinderv3 "http://$HOST_IP:8776/v3/\$(project_id)s"
}

blockstore_clean() {
  # tgtd of a private control port was started by this cloud: stop it with the cloud.
  if [ "$BLOCKSTORE_TGT_CONTROL" != 0 ]; then
    TGT_CONTROL_PORT="$BLOCKSTORE_TGT_CONTROL" "$REPO/tools/tgt.sh" stop || true
  fi
}
