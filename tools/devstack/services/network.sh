# Network: network-api on port 9696 (with the agent RPC server) and the bridge, DHCP, L3
# and metadata agents. The "public" physical network is a veth pair whose host end holds
# 172.24.4.1/24: floating IPs are reachable from this host only, nothing is routed or
# NATed out of the machine's real uplink.

NETWORK_PUBLIC_IF="${NETWORK_PUBLIC_IF:-cspub}"
NETWORK_PUBLIC_HOST_IF="$NETWORK_PUBLIC_IF-h"
NETWORK_PUBLIC_PHYS_IF="$NETWORK_PUBLIC_IF-p"
NETWORK_PUBLIC_CIDR="${NETWORK_PUBLIC_CIDR:-172.24.4.0/24}"
# x.y.z.1 is this host's end; floating IPs come from .10 to .250.
NETWORK_PUBLIC_PREFIX="${NETWORK_PUBLIC_CIDR%.*}"
NETWORK_PUBLIC_GATEWAY="$NETWORK_PUBLIC_PREFIX.1"

network_public_link() {
  if ! ip link show "$NETWORK_PUBLIC_HOST_IF" >/dev/null 2>&1; then
    ip link add "$NETWORK_PUBLIC_HOST_IF" type veth peer name "$NETWORK_PUBLIC_PHYS_IF"
  fi
  ip addr replace "$NETWORK_PUBLIC_GATEWAY/24" dev "$NETWORK_PUBLIC_HOST_IF"
  ip link set "$NETWORK_PUBLIC_HOST_IF" up
  ip link set "$NETWORK_PUBLIC_PHYS_IF" up
}

network_configure() {
  local etc="$STATE_DIR/etc/network" data="$STATE_DIR/data/network"
  mkdir -p "$etc" "$data"
  # dnsmasq (as nobody) passes through here to the DHCP agent's files.
  chmod o+x "$data"
  cp "$REPO/etc/network/api-paste.ini" "$REPO/etc/network/policy.yaml" "$etc/"
  network_public_link
  cat > "$etc/network.conf" <<EOT
[DEFAULT]
state_path = $data
transport_url = $TRANSPORT_URL

[api]
workers = $API_WORKERS
bind_host = $HOST_IP
bind_port = 9696
public_endpoint = http://$HOST_IP:9696

[database]
connection = $(database_url network)

$(auth_section network)
fault_style = neutron

[ml2]
tenant_network_types = local
flat_networks = *

[oslo_policy]
policy_file = policy.yaml

[nova]
# network-vif-plugged to compute when a server's port goes ACTIVE.
notify_port_status_changes = true
auth_url = http://$HOST_IP:5000/v3
username = network
password = $SERVICE_PASSWORD
project_name = service
endpoint_override = http://$HOST_IP:8774/v2.1
EOT
  # agent_ini <kind> <extra [DEFAULT] lines> <extra sections>
  agent_ini() {
    cat > "$etc/$1-agent.ini" <<EOT
[DEFAULT]
state_path = $data
transport_url = $TRANSPORT_URL
report_interval = 10
$2

[agent]
resync_interval = 30

$3
EOT
  }
  local mapping="[linux_bridge]
physical_interface_mappings = public:$NETWORK_PUBLIC_PHYS_IF"
  agent_ini bridge "" "$mapping

[securitygroup]
chain_prefix = ${NETWORK_CHAIN_PREFIX:-cs}"
  agent_ini dhcp "enable_metadata_proxy = true" "$mapping"
  agent_ini l3 "enable_metadata_proxy = true" "$mapping"
  agent_ini metadata "nova_metadata_host = $HOST_IP
nova_metadata_port = 8775
metadata_proxy_shared_secret = $METADATA_SECRET" ""
  "$VENV/bin/network-manage" --config-file "$etc/network.conf" db-sync >/dev/null
}

network_start() {
  local etc="$STATE_DIR/etc/network"
  run_daemon network-api "$VENV/bin/network-api" --config-file "$etc/network.conf"
  echo "http://$HOST_IP:9696/" > "$STATE_DIR/run/network-api.health"
  wait_url "http://$HOST_IP:9696/" network-api
  for kind in bridge dhcp l3 metadata; do
    run_daemon "network-$kind-agent" "$VENV/bin/network-$kind-agent" \
      --config-file "$etc/$kind-agent.ini"
  done
}

network_register() {
  register_service_user network
  register_endpoint network neutron "http://$HOST_IP:9696"
  AFTER_REGISTRATION+=(network_initial_topology)
}

# The public (external) network, and a private network with a router for demo.
network_initial_topology() {
  (
    set -e
    source "$OPENRC" admin
    # External, not shared (as devstack makes it): projects reach it through routers and
    # floating IPs, and cannot put ports straight on it. A network left shared by an
    # earlier run is unshared.
    if ! openstack network show public >/dev/null 2>&1; then
      openstack network create --external --no-share --provider-network-type flat \
        --provider-physical-network public public >/dev/null
      openstack subnet create --network public --subnet-range "$NETWORK_PUBLIC_CIDR" \
        --gateway "$NETWORK_PUBLIC_GATEWAY" --no-dhcp \
        --allocation-pool "start=$NETWORK_PUBLIC_PREFIX.10,end=$NETWORK_PUBLIC_PREFIX.250" public-subnet >/dev/null
      echo "  network public ($NETWORK_PUBLIC_CIDR, reachable from this host only)"
    elif [ "$(openstack network show public -f value -c shared)" = True ]; then
      openstack network set --no-share public
    fi
    source "$OPENRC" demo
    if ! openstack network show private >/dev/null 2>&1; then
      openstack network create private >/dev/null
      openstack subnet create --network private --subnet-range 10.0.0.0/24 \
        --dns-nameserver "$NETWORK_PUBLIC_GATEWAY" private-subnet >/dev/null
      openstack router create router1 >/dev/null
      openstack router set --external-gateway public router1
      openstack router add subnet router1 private-subnet
      echo "  demo network private (10.0.0.0/24) routed to public by router1"
    fi
  )
}

# Remove the datapath this cloud's agents made (namespaces, bridges, chains, dnsmasq) and
# the public veth; ./devstack.sh clean calls it after stopping the daemons.
network_clean() {
  local etc="$STATE_DIR/etc/network"
  [ -d "$etc" ] || return 0
  for kind in l3 dhcp metadata bridge; do
    [ -f "$etc/$kind-agent.ini" ] && "$VENV/bin/network-$kind-agent" --cleanup \
      --config-file "$etc/$kind-agent.ini" >>"$STATE_DIR/logs/network-$kind-agent.log" 2>&1
  done
  ip link del "$NETWORK_PUBLIC_HOST_IF" 2>/dev/null || true
}
