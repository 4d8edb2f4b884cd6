"""Converge the qrouter namespaces: interfaces, addresses, routes, NAT, metadata proxy."""
import ipaddress
import logging
import os

from network.agents.common import ip_lib
from network.agents.common import iptables
from network.agents.common import namespace
from network.agents.common import plug
from network.agents.l3 import metering
from network.agents.l3 import nat_rules
from network.agents.metadata import launcher

LOG = logging.getLogger(__name__)
NS_PREFIX = 'qrouter-'


def ns_name(router_id):
    return NS_PREFIX + router_id


def port_cidrs(port):
    """The port's addresses with the prefix length of their subnets."""
    lengths = {s['id']: ipaddress.ip_network(s['cidr']).prefixlen for s in port.get('subnets', [])}
    return ['%s/%d' % (ip['ip_address'], lengths[ip['subnet_id']])
            for ip in port.get('fixed_ips', []) if ip['subnet_id'] in lengths]


class L3Datapath:
    def __init__(self, state_dir, mappings, proxy_launcher=None):
        self.state_dir = os.path.join(state_dir, 'routers')
        self.mappings = mappings
        self.proxies = proxy_launcher
        self.counters = metering.Counters()

    def converge(self, state):
        """Apply ``state``; return {port_id: 'ACTIVE'|'DOWN'} for every router port
        (interfaces and gateway): ACTIVE once it is plugged in an enabled router."""
        self.failed = False
        wanted = set()
        statuses = {}
        for router in state.get('routers', []):
            ports = [itf['id'] for itf in router.get('interfaces', [])]
            if router.get('gw_port'):
                ports.append(router['gw_port']['id'])
            # An administratively disabled router keeps its ports plugged (they are
            # ACTIVE, as in Neutron) with the namespace ends down: nothing is forwarded.
            wanted.add(router['id'])
            status = 'DOWN'
            try:
                self.enable(router)
                status = 'ACTIVE'
            except Exception:
                self.failed = True
                LOG.exception('router %s: setup failed', router['id'])
            statuses.update((port_id, status) for port_id in ports)
        # Only routers this agent set up (marker files) count as stale.
        for router_id in self.owned() - wanted:
            self.disable(router_id)
        return statuses

    def owned(self):
        try:
            return set(os.listdir(self.state_dir))
        except FileNotFoundError:
            return set()

    def _plug(self, port, dev, ns, up=True):
        host_dev = 'tap' + port['id'][:11]
        ip_lib.ensure_veth(host_dev, dev, ns, mac=port['mac_address'],
                           mtu=port['network'].get('mtu'), up=up)
        plug.attach(port['network'], self.mappings, host_dev)
        return host_dev

    def enable(self, router):
        ns = ns_name(router['id'])
        up = router.get('admin_state_up', True)
        os.makedirs(self.state_dir, exist_ok=True)
        open(os.path.join(self.state_dir, router['id']), 'w').close()
        namespace.ensure(ns)
        ip_lib.sysctl('net.ipv4.ip_forward', 1, ns)
        ip_lib.sysctl('net.ipv6.conf.all.forwarding', 1, ns)
        devices = set()
        for itf in router.get('interfaces', []):
            dev = 'qr-' + itf['id'][:11]
            self._plug(itf, dev, ns, up)
            ip_lib.sync_addresses(dev, port_cidrs(itf), ns)
            devices.add(dev)
        gw = router.get('gw_port')
        gw_dev = None
        if gw:
            gw_dev = 'qg-' + gw['id'][:11]
            self._plug(gw, gw_dev, ns, up)
            fips = ['%s/32' % f['floating_ip_address'] for f in router.get('floating_ips', [])
                    if f.get('fixed_ip_address') or f.get('port_forwardings')]
            ip_lib.sync_addresses(gw_dev, port_cidrs(gw) + fips, ns)
            devices.add(gw_dev)
        for link in ip_lib.list_links(ns):
            name = link['ifname']
            if name[:3] in ('qr-', 'qg-') and name not in devices:
                self._unplug(name, ns)
        self._routes(router, gw, gw_dev, ns)
        chains, jumps = nat_rules.build(router, gw_dev or 'qg-none')
        tables = iptables.IptablesManager('cs-', namespace=ns)
        tables.apply('nat', chains, jumps)
        # Counters first: rewriting the accounting chains resets them.
        self.counters.add(router['id'], metering.read_and_zero(ns))
        tables.apply('filter', *metering.build(router, gw_dev or 'qg-none'))
        if self.proxies:
            ip_lib.sync_addresses('lo', [launcher.METADATA_IP + '/32'], ns)
            nets = {itf['network_id'] for itf in router.get('interfaces', [])}
            self.proxies.ensure(ns, nets, router_id=router['id'])

    def _routes(self, router, gw, gw_dev, ns):
        wanted = {}
        if gw:
            for subnet in gw.get('subnets', []):
                gateway = subnet.get('gateway_ip')
                if gateway and ipaddress.ip_address(gateway).version == 4:
                    wanted['default'] = gateway
                    break
        for route in router.get('routes') or []:
            net = ipaddress.ip_network(route['destination'])
            if net.version == 4:
                wanted['default' if net.prefixlen == 0 else str(net)] = route['nexthop']
        for dest, via in wanted.items():
            try:
                ip_lib.replace_route(dest, via=via, namespace=ns)
            except Exception as exc:
                LOG.warning('router %s: route %s via %s: %s', router['id'], dest, via, exc)
        for route in ip_lib.list_routes(ns):
            if route.get('gateway') and route['dst'] not in wanted:
                ip_lib.delete_route(route['dst'], ns)

    def _unplug(self, dev, ns):
        host_dev = 'tap' + dev[3:]
        br = ip_lib.master_of(host_dev)
        ip_lib.delete_link(dev, ns)
        if br and br.startswith(plug.BRIDGE_PREFIX):
            plug.delete_network_bridge(br, self.mappings)

    def read_counters(self):
        """Add what every router's metering chains counted since the last read to
        ``counters`` (the agent reports and clears them)."""
        for router_id in sorted(self.owned()):
            ns = ns_name(router_id)
            if namespace.exists(ns):
                self.counters.add(router_id, metering.read_and_zero(ns))
        return self.counters

    def disable(self, router_id):
        ns = ns_name(router_id)
        if self.proxies:
            self.proxies.stop(ns)
        if namespace.exists(ns):
            self.counters.add(router_id, metering.read_and_zero(ns))
            for link in ip_lib.list_links(ns):
                if link['ifname'][:3] in ('qr-', 'qg-'):
                    self._unplug(link['ifname'], ns)
        namespace.delete(ns)
        try:
            os.unlink(os.path.join(self.state_dir, router_id))
        except FileNotFoundError:
            pass
