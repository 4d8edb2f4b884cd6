"""Trunk wiring with Linux bridge VLAN filtering, as the bridge agent does it.

The parent port's tap stays in its network's bridge, which gets ``vlan_filtering 1``;
every port of that bridge keeps VLAN 1 as its untagged default, so the parent network's
traffic is unchanged. For each subport (VLAN ``V``) a veth pair joins the two networks:
``spi<id>`` is a port of the parent's bridge that carries VLAN ``V`` only (its PVID,
untagged on the wire), and its peer is named as the subport's tap (``tap<id>``), which the
agent plugs into the subport network's bridge as any other port, so the subport's
security groups, address pairs and QoS apply to it there. The parent's tap is a tagged
member of VLAN ``V``. A frame the guest sends tagged ``V`` thus leaves the parent's bridge
untagged through ``spi<id>`` and enters the subport's network; the way back is the same.

This needs bridge VLAN filtering in the kernel; where it is missing (the development
machine: "Operation not supported") the error is logged once per trunk and the subports
stay DOWN, and the commands are proven by unit tests only.
"""
import logging

from common.execute import CommandError
from common.execute import execute
from network import rpcapi
from network.agents.common import ip_lib

LOG = logging.getLogger(__name__)
OWNER_SUBPORT = 'trunk:subport'


def subport_link(port_id):
    """The bridge-side end of a subport's veth pair (15 characters at most)."""
    return 'spi' + port_id[:11]


def bridge_commands(bridge_name):
    """Turn VLAN filtering on in the parent network's bridge (idempotent)."""
    return [['ip', 'link', 'set', 'dev', bridge_name, 'type', 'bridge', 'vlan_filtering', '1']]


def create_commands(subport_id):
    """Make the subport's veth pair (only when its bridge-side end is missing)."""
    return [['ip', 'link', 'add', subport_link(subport_id), 'type', 'veth', 'peer', 'name',
             rpcapi.tap_name(subport_id)]]


def wire_commands(bridge_name, parent_tap, subport_id, vid):
    """Put VLAN ``vid`` between the parent's tap and the subport's veth (idempotent)."""
    link = subport_link(subport_id)
    return [['ip', 'link', 'set', 'dev', link, 'master', bridge_name],
            ['bridge', 'vlan', 'add', 'dev', link, 'vid', str(vid), 'pvid', 'untagged'],
            ['bridge', 'vlan', 'del', 'dev', link, 'vid', '1'],
            ['bridge', 'vlan', 'add', 'dev', parent_tap, 'vid', str(vid)],
            ['ip', 'link', 'set', 'dev', link, 'up'],
            ['ip', 'link', 'set', 'dev', rpcapi.tap_name(subport_id), 'up']]


def unwire_commands(parent_tap, subport_id, vid):
    """Take a removed subport's VLAN off the parent's tap and delete its veth pair."""
    return [['bridge', 'vlan', 'del', 'dev', parent_tap, 'vid', str(vid)],
            ['ip', 'link', 'del', subport_link(subport_id)]]


def wanted(ports):
    """{subport id: (parent tap, parent network id, vid)} of the trunks of ``ports`` (the
    plugged ports of this host) that are up."""
    out = {}
    for port in ports:
        trunk = port.get('trunk') or {}
        if not trunk.get('admin_state_up', True):
            continue
        for sub in trunk.get('sub_ports') or []:
            out[sub['port_id']] = (port['tap_name'], port['network_id'],
                                   sub['segmentation_id'])
    return out


class TrunkDriver:
    """Keeps each wired subport's VLAN and veth pair; removes those no longer wanted."""

    def __init__(self):
        self.applied = {}       # subport id -> (parent tap, network id, vid)
        self.reported = set()   # (parent tap, error) already logged

    def apply(self, ports, bridges):
        """Wire the subports of the trunks of ``ports``; ``bridges`` maps network ids to
        bridge names. Returns the ids of the subports whose tap now exists."""
        want = wanted(ports)
        for sub_id, (tap, _net, vid) in sorted(self.applied.items()):
            if want.get(sub_id) != (tap, _net, vid):
                self._run(tap, unwire_commands(tap, sub_id, vid), check=False)
                del self.applied[sub_id]
        ready = set()
        filtered = set()
        for sub_id, (tap, net_id, vid) in sorted(want.items()):
            bridge_name = bridges.get(net_id)
            if bridge_name is None:
                continue
            if bridge_name not in filtered:
                if not self._run(tap, bridge_commands(bridge_name)):
                    continue
                filtered.add(bridge_name)
            if not ip_lib.link_exists(subport_link(sub_id)) and \
                    not self._run(tap, create_commands(sub_id)):
                continue
            if self._run(tap, wire_commands(bridge_name, tap, sub_id, vid)):
                self.applied[sub_id] = (tap, net_id, vid)
                ready.add(sub_id)
        return ready

    def _run(self, tap, commands, check=True):
        try:
            for cmd in commands:
                # Deleting VLAN 1 from a link that no longer has it is no error.
                execute(cmd, check=check and cmd[:3] != ['bridge', 'vlan', 'del'])
        except CommandError as exc:
            key = (tap, str(exc))
            if key not in self.reported:
                self.reported.add(key)
                LOG.error('%s: cannot wire its trunk with bridge VLAN filtering: %s', tap, exc)
            return False
        return True
