# Image: image-api on port 9292 with a file store (default) and, when the object store
# runs, an objectstore store; uploads the guest image built from Debian packages.

image_configure() {
  local etc="$STATE_DIR/etc/image" data="$STATE_DIR/data/image"
  mkdir -p "$etc" "$data/file1"
  cp "$REPO/etc/image/api-paste.ini" "$REPO/etc/image/policy.yaml" "$etc/"
  local backends="file1:file" store_section=""
  if [[ " ${SERVICES[*]} " == *" objectstore "* ]]; then
    backends="file1:file, objectstore1:objectstore"
    store_section="[objectstore1]
description = Images kept in the object store
swift_store_auth_address = http://$HOST_IP:5000/v3
swift_store_user = image
swift_store_key = $SERVICE_PASSWORD
swift_store_project_name = service
swift_store_region = RegionOne
swift_store_container = images"
  fi
  cat > "$etc/image.conf" <<EOT
[DEFAULT]
state_path = $data
transport_url = $TRANSPORT_URL
enabled_backends = $backends

[api]
workers = $API_WORKERS
bind_host = $HOST_IP
bind_port = 9292
public_endpoint = http://$HOST_IP:9292

[database]
connection = $(database_url image)

[glance_store]
default_backend = file1

[file1]
description = Local image files
filesystem_store_datadir = $data/file1

$store_section

$(auth_section image)

[oslo_policy]
policy_file = policy.yaml
EOT
  "$VENV/bin/image-manage" --config-file "$etc/image.conf" db-sync >/dev/null
  # The metadata definitions catalog (namespaces already there are left as they are).
  "$VENV/bin/image-manage" --config-file "$etc/image.conf" db-load-metadefs \
    --path "$REPO/etc/image/metadefs" >/dev/null
}

image_start() {
  run_daemon image-api "$VENV/bin/image-api" --config-file "$STATE_DIR/etc/image/image.conf"
  echo "http://$HOST_IP:9292/" > "$STATE_DIR/run/image-api.health"
  wait_url "http://$HOST_IP:9292/" image-api
}

image_register() {
  register_service_user image
  register_endpoint image glance "http://$HOST_IP:9292"
  AFTER_REGISTRATION+=(image_upload_guest)
}

# The default guest image: built once (cached in the state directory), uploaded if absent.
image_upload_guest() {
  local guest="$STATE_DIR/data/guest.qcow2"
  if [ ! -f "$guest" ]; then
    echo "  building the guest image (first run only)"
    "$REPO/image/guest/build-guest-image.sh" "$guest" > "$STATE_DIR/logs/guest-image.log" 2>&1 \
      || { echo "devstack: guest image build failed; see $STATE_DIR/logs/guest-image.log" >&2
           return 1; }
  fi
  # The builder leaves it world-readable; in devstack's state it is root's, like the rest.
  chmod 600 "$guest"
  (
    set -e
    source "$OPENRC" admin
    if [ -z "$(openstack image list --name guest -f value -c ID)" ]; then
      openstack image create --file "$guest" --disk-format qcow2 --container-format bare \
        --public guest -f value -c id >/dev/null
      echo "  uploaded image 'guest' (user guest, password gueststack)"
    fi
  )
}
