"""Converge this host's bridges, taps and security group chains to the server's state."""
import logging

from network import rpcapi
from network.agents.bridge import ebtables_rules
from network.agents.bridge import firewall
from network.agents.bridge import qos
from network.agents.bridge import trunk
from network.agents.common import bridge
from network.agents.common import ebtables
from network.agents.common import ip_lib
from network.agents.common import ipset
from network.agents.common import iptables
from network.agents.common import plug

LOG = logging.getLogger(__name__)


class BridgeDatapath:
    """Owns the brq bridges, the taps' placement and the ``<prefix>-*`` chains and sets."""

    def __init__(self, mappings, chain_prefix='cs', create_missing_taps=False,
                 enable_security_group=True, mtu_default=1500):
        self.mappings = mappings
        self.prefix = chain_prefix
        self.create_missing_taps = create_missing_taps
        self.enable_security_group = enable_security_group
        self.iptables = {f: iptables.IptablesManager(chain_prefix + '-', family=f)
                         for f in (4, 6)}
        self.ebtables = ebtables.EbtablesManager(chain_prefix + '-')
        self.qos = qos.QosDriver(chain_prefix, self.iptables)
        self.trunks = trunk.TrunkDriver()
        # Bridges this agent made; the DHCP and L3 agents make (and remove) their own.
        self.owned_bridges = set()
        self.failed = False         # the last converge hit an error: retry soon
        self.waiting_taps = set()   # taps of bound ports the hypervisor has not made yet

    def converge(self, state):
        """Apply ``state`` (get_host_state of the bridge agent); return {port_id: status}."""
        networks = {n['id']: n for n in state.get('networks', [])}
        self.failed = False
        self.waiting_taps = set()
        bridges = {}
        for net in networks.values():
            try:
                bridges[net['id']] = plug.ensure_network_bridge(net, self.mappings)
            except Exception as exc:
                self.failed = True
                LOG.error('network %s: cannot set up its bridge: %s', net['id'], exc)
        statuses, plugged = {}, []
        # Subports' taps are veth ends the trunk wiring makes: they are plugged after it.
        subports = [p for p in state.get('ports', [])
                    if p.get('device_owner') == trunk.OWNER_SUBPORT]
        subport_ids = {p['id'] for p in subports}
        for port in state.get('ports', []):
            if port['id'] in subport_ids:
                statuses[port['id']] = 'DOWN'
                continue
            statuses[port['id']] = self._plug(port, bridges.get(port['network_id']))
            if statuses[port['id']] == 'ACTIVE':
                plugged.append(port)
        try:
            ready = self.trunks.apply(plugged, bridges)
        except Exception as exc:
            self.failed = True
            ready = set()
            LOG.error('cannot wire trunks: %s', exc)
        for port in subports:
            if port['id'] in ready:
                statuses[port['id']] = self._plug(port, bridges.get(port['network_id']))
                if statuses[port['id']] == 'ACTIVE':
                    plugged.append(port)
        self._firewall(plugged if self.enable_security_group else [])
        try:
            if not self.qos.apply(plugged):
                self.failed = True
        except Exception as exc:
            self.failed = True
            LOG.error('cannot apply QoS: %s', exc)
        for port_id in state.get('skipped_ports', []):
            self._keep_down(port_id)
        self._remove_stale_bridges(set(bridges.values()))
        return statuses

    def _keep_down(self, port_id):
        """A port whose values could not be rendered gets no firewall chains: its tap must
        carry nothing rather than pass unfiltered."""
        tap = rpcapi.tap_name(port_id)
        try:
            if ip_lib.link_exists(tap):
                ip_lib.set_down(tap)
        except Exception as exc:
            self.failed = True
            LOG.error('port %s: cannot set %s down: %s', port_id, tap, exc)

    def _plug(self, port, bridge_name):
        tap = port.get('tap_name') or 'tap' + port['id'][:11]
        if bridge_name is None:
            return 'DOWN'
        if not ip_lib.link_exists(tap):
            if not self.create_missing_taps:
                self.waiting_taps.add(tap)
                return 'DOWN'
            ip_lib.add_tap(tap)
        try:
            bridge.enslave(bridge_name, tap)
            ip_lib.set_mtu(tap, None)
            if not port.get('admin_state_up', True):
                ip_lib.set_down(tap)
                return 'DOWN'
        except Exception as exc:
            self.failed = True
            LOG.error('port %s: cannot plug %s into %s: %s', port['id'], tap, bridge_name, exc)
            return 'DOWN'
        return 'ACTIVE'

    def _firewall(self, ports):
        for family in (4, 6):
            sets = firewall.remote_groups(ports, family, self.prefix)
            for name, members in sets.items():
                ipset.sync(name, members, family)
            chains, jumps = firewall.build(ports, family, self.prefix)
            self.iptables[family].apply('filter', chains, jumps)
            # Sets can only go once no rule references them any more.
            for name in ipset.list_sets('%s%d-' % (self.prefix[:8], family)):
                if name not in sets:
                    ipset.destroy(name)
        chains, jumps = ebtables_rules.build(ports, self.prefix)
        self.ebtables.apply(chains, jumps)

    def _remove_stale_bridges(self, wanted):
        for name in sorted(self.owned_bridges - wanted):
            try:
                removed = not bridge.exists(name) or plug.delete_network_bridge(
                    name, self.mappings)
            except Exception:
                # The DHCP or L3 agent may remove a shared bridge between our steps.
                if bridge.exists(name):
                    raise
                removed = True
            if removed:
                LOG.info('removed unused bridge %s', name)
                self.owned_bridges.discard(name)
        self.owned_bridges |= wanted

    def teardown(self):
        """Remove every chain and set this datapath owns (bridges stay for the guests)."""
        self._firewall([])
        for family in (4, 6):
            self.iptables[family].clear('mangle')
