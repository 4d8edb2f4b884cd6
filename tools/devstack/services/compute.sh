# Compute: compute-api (8774, /v2.1), compute-metadata (8775, reached by guests through the
# network metadata agent), compute-conductor, compute-scheduler, one compute-worker on this
# host's libvirtd (started by tools/libvirt.sh: virtlogd first) and the noVNC console
# proxy (websockify from Debian, 6080).

compute_configure() {
  local etc="$STATE_DIR/etc/compute" data="$STATE_DIR/data/compute"
  mkdir -p "$etc" "$data/instances/_base"
  # QEMU (as libvirt-qemu) opens the guests' disks and their cached base images: it must
  # pass through to them (the daemons run with umask 077).
  chmod o+x "$data" "$data/instances" "$data/instances/_base"
  cp "$REPO/etc/compute/api-paste.ini" "$REPO/etc/compute/policy.yaml" "$etc/"
  cat > "$etc/compute.conf" <<EOT
[DEFAULT]
state_path = $data
transport_url = $TRANSPORT_URL
host = ${COMPUTE_HOST:-$(hostname -s)}
report_interval = 10

[api]
workers = $API_WORKERS
bind_host = $HOST_IP
bind_port = 8774
public_endpoint = http://$HOST_IP:8774

[database]
connection = $(database_url compute)

$(auth_section compute)
fault_style = nova

[oslo_policy]
policy_file = policy.yaml

[compute]
default_availability_zone = nova

[service_user]
auth_url = http://$HOST_IP:5000/v3
username = compute
password = $SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
interface = public

[libvirt]
instances_path = $data/instances
vnc_listen = $HOST_IP
my_ip = $HOST_IP

[vnc]
novncproxy_base_url = http://$HOST_IP:6080/vnc_lite.html
token_dir = $data/console-tokens

[metadata]
metadata_proxy_shared_secret = $METADATA_SECRET
metadata_listen = $HOST_IP
metadata_listen_port = 8775
EOT
}

compute_start() {
  local conf="$STATE_DIR/etc/compute/compute.conf"
  "$REPO/tools/libvirt.sh" start >/dev/null
  "$VENV/bin/compute-manage" --config-file "$conf" db_sync >/dev/null
  run_daemon compute-api "$VENV/bin/compute-api" --config-file "$conf"
  echo "http://$HOST_IP:8774/" > "$STATE_DIR/run/compute-api.health"
  run_daemon compute-metadata "$VENV/bin/compute-metadata" --config-file "$conf"
  run_daemon compute-conductor "$VENV/bin/compute-conductor" --config-file "$conf"
  run_daemon compute-scheduler "$VENV/bin/compute-scheduler" --config-file "$conf"
  run_daemon compute-worker "$VENV/bin/compute-worker" --config-file "$conf"
  # The console proxy: noVNC pages and a WebSocket bridge to the guest a token names.
  mkdir -p "$STATE_DIR/data/compute/console-tokens"
  run_daemon compute-novncproxy websockify --web /usr/share/novnc --token-plugin TokenFile \
    --token-source "$STATE_DIR/data/compute/console-tokens" "$HOST_IP:6080"
  wait_url "http://$HOST_IP:8774/" compute-api
}

compute_register() {
  register_service_user compute
  register_endpoint compute nova "http://$HOST_IP:8774/v2.1"
  AFTER_REGISTRATION+=(compute_flavors)
}

# Flavors as devstack makes them, except m1.nano: the guest image needs at least 96 MiB,
# so m1.nano has 128 MiB here (devstack's has 64) and m1.micro 192 MiB (devstack: 128).
compute_flavors() {
  (
    set -e
    source "$OPENRC" admin
    local have
    have=" $(openstack flavor list --all -f value -c Name | tr '\n' ' ') "
    while read -r name id ram disk vcpus; do
      [[ "$have" == *" $name "* ]] && continue
      openstack flavor create --id "$id" --ram "$ram" --disk "$disk" --vcpus "$vcpus" \
        "$name" >/dev/null
      echo "  flavor $name ($ram MiB, $disk GB, $vcpus vCPU)"
    done <<EOT
m1.nano 42 128 1 1
m1.micro 84 192 1 1
m1.tiny 1 512 1 1
m1.small 2 2048 20 1
m1.medium 3 4096 40 2
m1.large 4 8192 80 4
m1.xlarge 5 16384 160 8
EOT
  )
}
