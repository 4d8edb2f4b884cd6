"""os-networks and os-tenant-networks (Nova API up to 2.35): the networks the caller sees in
the network service, in Nova's network view; what only nova-network did (create, delete,
associate) is gone (410), as in Nova with Neutron."""
import ipaddress

from common import exceptions
from common import validators
from compute.api import proxy

# Nova's view of a network: every caller sees these ...
FIELDS = ('id', 'cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2', 'cidr_v6',
          'gateway_v6', 'label', 'netmask_v6')
# ... and admins these too (nova-network's; most have no meaning on the network service).
ADMIN_FIELDS = ('created_at', 'updated_at', 'deleted_at', 'deleted', 'injected', 'bridge',
                'vlan', 'vpn_public_address', 'vpn_public_port', 'vpn_private_address',
                'dhcp_start', 'project_id', 'host', 'bridge_interface', 'multi_host',
                'priority', 'rxtx_base', 'mtu', 'dhcp_server', 'enable_dhcp',
                'share_address')
NOT_FOUND = {400: (exceptions.NotFound, 'Network could not be found.'),
             404: (exceptions.NotFound, 'Network could not be found.')}


def _gone(what):
    return exceptions.Gone('%s is only available with nova-network, which this cloud, like '
                           'Nova since Rocky, does not have.' % what)


def _subnet_fields(subnets):
    """cidr, netmask, gateway, broadcast, dns1/2 and the IPv6 ones of a network's first IPv4
    and first IPv6 subnet."""
    out = {}
    for subnet in subnets:
        try:
            net = ipaddress.ip_network(subnet.get('cidr') or '', strict=False)
        except ValueError:
            continue
        if net.version == 4 and 'cidr' not in out:
            dns = list(subnet.get('dns_nameservers') or []) + [None, None]
            out.update({'cidr': str(net), 'netmask': str(net.netmask),
                        'gateway': subnet.get('gateway_ip'),
                        'broadcast': str(net.broadcast_address),
                        'dns1': dns[0], 'dns2': dns[1],
                        'enable_dhcp': subnet.get('enable_dhcp')})
        elif net.version == 6 and 'cidr_v6' not in out:
            out.update({'cidr_v6': str(net), 'gateway_v6': subnet.get('gateway_ip'),
                        'netmask_v6': str(net.netmask)})
    return out


class Networks(proxy.ProxyController):
    SERVICE = 'network'

    def _subnets(self, req, networks):
        ids = [s for n in networks for s in n.get('subnets') or []]
        if not ids:
            return {}
        subnets = self.call(req, 'GET', '/v2.0/subnets', params={'id': ids})['subnets']
        return {s['id']: s for s in subnets}

    def view(self, req, network, subnets, admin):
        values = _subnet_fields([subnets[s] for s in network.get('subnets') or []
                                 if s in subnets])
        values.update({'id': network['id'], 'label': network.get('name'),
                       'project_id': network.get('project_id') or network.get('tenant_id'),
                       'mtu': network.get('mtu'), 'created_at': network.get('created_at'),
                       'updated_at': network.get('updated_at'), 'deleted': False,
                       'multi_host': False, 'share_address': False, 'injected': False})
        return {f: values.get(f) for f in FIELDS + (ADMIN_FIELDS if admin else ())}

    def _one(self, req, id):
        try:
            validators.uuid(str(id))
        except validators.InvalidValue:
            raise exceptions.NotFound('Network %s could not be found.' % validators.quote(id))
        return self.call(req, 'GET', '/v2.0/networks/%s' % id, errors=NOT_FOUND)['network']

    def _index(self, req, rule, admin_view):
        ctx = self.gate(req)
        self.authorize(req, rule)
        nets = self.call(req, 'GET', '/v2.0/networks')['networks']
        subnets = self._subnets(req, nets)
        return {'networks': [self.view(req, n, subnets, admin_view and ctx.is_admin)
                             for n in nets]}

    def _show(self, req, id, rule, admin_view):
        ctx = self.gate(req)
        self.authorize(req, rule)
        net = self._one(req, id)
        return {'network': self.view(req, net, self._subnets(req, [net]),
                                     admin_view and ctx.is_admin)}

    # os-networks
    def index(self, req):
        return self._index(req, 'os-networks:list', True)

    def show(self, req, id):
        return self._show(req, id, 'os-networks:view', True)

    def gone(self, req, id=None):
        self.gate(req)
        raise _gone('Creating, deleting and associating networks through compute')

    # os-tenant-networks: Nova's short view (id, label, cidr)
    def tenant_index(self, req):
        full = self._index(req, 'os-tenant-networks:list', False)
        return {'networks': [_short(n) for n in full['networks']]}

    def tenant_show(self, req, id):
        return {'network': _short(self._show(req, id, 'os-tenant-networks:show',
                                             False)['network'])}


def _short(view):
    return {'id': view['id'], 'label': view['label'], 'cidr': view['cidr']}


def add_routes(add, state):
    nw = Networks(state)
    add('/os-networks', nw, {'GET': 'index', 'POST': 'gone'})
    add('/os-networks/add', nw, {'POST': 'gone'})
    add('/os-networks/{id}', nw, {'GET': 'show', 'DELETE': 'gone'})
    add('/os-networks/{id}/action', nw, {'POST': 'gone'})
    add('/os-tenant-networks', nw, {'GET': 'tenant_index', 'POST': 'gone'})
    add('/os-tenant-networks/{id}', nw, {'GET': 'tenant_show', 'DELETE': 'gone'})
