"""The per-network bridge (and its uplink) every agent plugs devices into."""
import logging

from network.agents.common import bridge
from network.agents.common import ip_lib

LOG = logging.getLogger(__name__)
BRIDGE_PREFIX = 'brq'


def bridge_name(network_id):
    return BRIDGE_PREFIX + network_id[:11]


class UplinkError(Exception):
    """The network needs a physical interface this host does not map or have."""


def uplink_name(network, mappings):
    """The device that carries ``network`` off the host, or None for local networks."""
    kind = network.get('network_type') or 'local'
    if kind == 'local':
        return None
    physnet = network.get('physical_network')
    iface = mappings.get(physnet)
    if not iface:
        raise UplinkError('no physical_interface_mappings entry for %r' % physnet)
    if kind == 'flat':
        return iface
    if kind == 'vlan':
        # The kernel caps names at 15 characters; keep the vlan id whole.
        vid = str(network['segmentation_id'])
        return '%s.%s' % (iface[:14 - len(vid)], vid)
    raise UplinkError('network type %r is not supported by this agent' % kind)


def ensure_network_bridge(network, mappings):
    """Create the network's bridge, with its uplink enslaved; return the bridge name."""
    name = bridge_name(network['id'])
    uplink = uplink_name(network, mappings)
    bridge.ensure(name, network.get('mtu'))
    if uplink:
        if network['network_type'] == 'vlan' and not ip_lib.link_exists(uplink):
            parent = mappings[network['physical_network']]
            try:
                ip_lib.add_vlan(parent, uplink, network['segmentation_id'])
            except Exception:
                # Another agent on this host may have added it meanwhile.
                if not ip_lib.link_exists(uplink):
                    raise
        if not ip_lib.link_exists(uplink):
            raise UplinkError('physical interface %s does not exist' % uplink)
        bridge.enslave(name, uplink)
    return name


def delete_network_bridge(name, mappings):
    """Delete bridge ``name`` if nothing but its uplink is left on it."""
    uplinks = set(mappings.values())
    members = bridge.interfaces(name)
    others = [m for m in members if m not in uplinks and m.split('.')[0] not in
              {u[:14] for u in uplinks} | uplinks]
    if others:
        return False
    for member in members:
        if '.' in member:
            ip_lib.delete_link(member)   # a VLAN sub-interface we created
        else:
            ip_lib._ip(['link', 'set', 'dev', member, 'nomaster'], check=False)
    bridge.delete(name)
    return True


def attach(network, mappings, dev):
    """Put ``dev`` on the network's bridge, made first if missing. Another agent removes a
    bridge it finds empty, so one made here may vanish before ``dev`` is on it: then it is
    made again once."""
    for attempt in (1, 2):
        name = ensure_network_bridge(network, mappings)
        try:
            bridge.enslave(name, dev)
            return name
        except Exception:
            if attempt == 2 or bridge.exists(name):
                raise
            LOG.info('bridge %s vanished while %s joined it; making it again', name, dev)
