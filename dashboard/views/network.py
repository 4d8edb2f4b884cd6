"""Networks and subnets, routers, floating IPs, security groups and their rules."""
import ipaddress

from common import client
from common import exceptions
from dashboard import app as app_mod

PROTOCOLS = ('', 'tcp', 'udp', 'icmp')


def _cidr(value, field='CIDR'):
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        raise exceptions.BadRequest('%s %r is not a network address such as 10.0.0.0/24.'
                                    % (field, value[:50]))


def _ip(value, field='Gateway'):
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise exceptions.BadRequest('%s %r is not an IP address.' % (field, value[:50]))


def _subnet_body(req, network_id):
    name = app_mod.form_text(req, 'subnet_name', label='Subnet name')
    cidr = _cidr(app_mod.form_text(req, 'cidr', True, 64, 'CIDR'))
    body = {'network_id': network_id, 'cidr': cidr, 'name': name,
            'ip_version': ipaddress.ip_network(cidr).version,
            'enable_dhcp': req.POST.get('enable_dhcp') == 'on'}
    gateway = app_mod.form_text(req, 'gateway_ip', max_len=64)
    if gateway:
        body['gateway_ip'] = _ip(gateway)
    return body


class Networks(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        networks, pager = self.table(req, cloud, 'network', '/v2.0/networks', 'networks')
        subnets = {s['id']: s for s in cloud.get(
            'network', '/v2.0/subnets', fields=['id', 'name', 'cidr'])['subnets']}
        return self.render(req, 'networks.html', networks=networks, subnets=subnets,
                           **pager)

    def create(self, req):
        """A network and (when a CIDR is given) its subnet; a failed subnet takes the
        network it was made for away again."""
        cloud = self.cloud(req)

        def run():
            name = app_mod.form_text(req, 'name', True, label='Name')
            subnet = req.POST.get('cidr', '').strip()
            if subnet:
                _subnet_body(req, 'check')   # bad input fails before anything is made
            network = cloud.json('network', 'POST', '/v2.0/networks',
                                 {'network': {'name': name}})['network']
            if subnet:
                try:
                    cloud.json('network', 'POST', '/v2.0/subnets',
                               {'subnet': _subnet_body(req, network['id'])})
                except client.ClientError:
                    cloud.json('network', 'DELETE', '/v2.0/networks/%s' % network['id'])
                    raise
            return network
        return self.act(req, '/project/networks', run,
                        lambda n: 'Network %s created.' % n['name'])

    def detail(self, req, id):
        cloud = self.cloud(req)
        id = app_mod.path_id(id)
        network = cloud.get('network', '/v2.0/networks/%s' % id)['network']
        subnets = cloud.get('network', '/v2.0/subnets', network_id=id)['subnets']
        ports = cloud.get('network', '/v2.0/ports', network_id=id)['ports']
        return self.render(req, 'network_detail.html', network=network, subnets=subnets,
                           ports=ports)

    def add_subnet(self, req, id):
        cloud = self.cloud(req)
        id = app_mod.path_id(id)
        return self.act(req, '/project/networks/%s' % id, lambda: cloud.json(
            'network', 'POST', '/v2.0/subnets', {'subnet': _subnet_body(req, id)}),
            'Subnet created.')

    def delete_subnet(self, req, id, subnet_id):
        cloud = self.cloud(req)
        return self.act(req, '/project/networks/%s' % app_mod.path_id(id), lambda: cloud.json(
            'network', 'DELETE', '/v2.0/subnets/%s' % app_mod.path_id(subnet_id)),
            'Subnet deleted.')

    def delete(self, req, id):
        cloud = self.cloud(req)
        return self.act(req, '/project/networks', lambda: cloud.json(
            'network', 'DELETE', '/v2.0/networks/%s' % app_mod.path_id(id)),
            'Network deleted.')


class Routers(app_mod.Page):
    def _external(self, cloud):
        return cloud.get('network', '/v2.0/networks', **{'router:external': 'true'})['networks']

    def index(self, req):
        cloud = self.cloud(req)
        routers, pager = self.table(req, cloud, 'network', '/v2.0/routers', 'routers')
        return self.render(req, 'routers.html', routers=routers,
                           external=self._external(cloud), **pager)

    def create(self, req):
        cloud = self.cloud(req)

        def run():
            router = {'name': app_mod.form_text(req, 'name', True, label='Name')}
            gateway = req.POST.get('external_network', '')
            if gateway:
                router['external_gateway_info'] = {'network_id': app_mod.path_id(gateway)}
            return cloud.json('network', 'POST', '/v2.0/routers', {'router': router})['router']
        return self.act(req, '/project/routers', run,
                        lambda r: 'Router %s created.' % r['name'])

    def _interfaces(self, cloud, id):
        return cloud.get('network', '/v2.0/ports', device_id=id)['ports']

    def detail(self, req, id):
        cloud = self.cloud(req)
        id = app_mod.path_id(id)
        router = cloud.get('network', '/v2.0/routers/%s' % id)['router']
        ports = self._interfaces(cloud, id)
        subnets = cloud.get('network', '/v2.0/subnets', project_id=cloud.project_id)['subnets']
        return self.render(req, 'router_detail.html', router=router, ports=ports,
                           subnets=subnets, external=self._external(cloud))

    def add_interface(self, req, id):
        cloud = self.cloud(req)
        id = app_mod.path_id(id)
        return self.act(req, '/project/routers/%s' % id, lambda: cloud.json(
            'network', 'PUT', '/v2.0/routers/%s/add_router_interface' % id,
            {'subnet_id': app_mod.path_id(req.POST.get('subnet_id', ''))}),
            'Interface added.')

    def remove_interface(self, req, id):
        cloud = self.cloud(req)
        id = app_mod.path_id(id)
        return self.act(req, '/project/routers/%s' % id, lambda: cloud.json(
            'network', 'PUT', '/v2.0/routers/%s/remove_router_interface' % id,
            {'port_id': app_mod.path_id(req.POST.get('port_id', ''))}),
            'Interface removed.')

    def gateway(self, req, id):
        cloud = self.cloud(req)
        id = app_mod.path_id(id)
        network = req.POST.get('external_network', '')
        info = {'network_id': app_mod.path_id(network)} if network else {}
        return self.act(req, '/project/routers/%s' % id, lambda: cloud.json(
            'network', 'PUT', '/v2.0/routers/%s' % id,
            {'router': {'external_gateway_info': info}}),
            'Gateway set.' if network else 'Gateway cleared.')

    def delete(self, req, id):
        """Remove the router's interfaces, then the router."""
        cloud = self.cloud(req)
        id = app_mod.path_id(id)

        def run():
            for port in self._interfaces(cloud, id):
                if port.get('device_owner') == 'network:router_interface':
                    cloud.json('network', 'PUT', '/v2.0/routers/%s/remove_router_interface'
                               % id, {'port_id': port['id']})
            cloud.json('network', 'DELETE', '/v2.0/routers/%s' % id)
        return self.act(req, '/project/routers', run, 'Router deleted.')


class FloatingIPs(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        fips, pager = self.table(req, cloud, 'network', '/v2.0/floatingips', 'floatingips')
        pools = cloud.get('network', '/v2.0/networks', **{'router:external': 'true'})[
            'networks']
        servers = cloud.get('compute', '/servers', limit=200)['servers']
        ports = {p['id']: p for p in cloud.get('network', '/v2.0/ports',
                                               project_id=cloud.project_id)['ports']}
        names = {s['id']: s['name'] for s in servers}
        for fip in fips:
            port = ports.get(fip.get('port_id') or '')
            fip['server'] = names.get(port['device_id']) if port else None
        return self.render(req, 'floating_ips.html', fips=fips, pools=pools, servers=servers,
                           **pager)

    def allocate(self, req):
        cloud = self.cloud(req)
        return self.act(req, '/project/floating_ips', lambda: cloud.json(
            'network', 'POST', '/v2.0/floatingips', {'floatingip': {
                'floating_network_id': app_mod.path_id(req.POST.get('pool', ''))}}
        )['floatingip'], lambda f: 'Allocated %s.' % f['floating_ip_address'])

    def associate(self, req, id):
        cloud = self.cloud(req)
        id = app_mod.path_id(id)

        def run():
            server_id = app_mod.path_id(req.POST.get('server_id', ''))
            ports = cloud.get('network', '/v2.0/ports', device_id=server_id)['ports']
            if not ports:
                raise exceptions.BadRequest('That server has no port to associate with.')
            return cloud.json('network', 'PUT', '/v2.0/floatingips/%s' % id,
                              {'floatingip': {'port_id': ports[0]['id']}})['floatingip']
        return self.act(req, '/project/floating_ips', run,
                        lambda f: 'Associated %s with %s.' % (f['floating_ip_address'],
                                                              f['fixed_ip_address']))

    def disassociate(self, req, id):
        cloud = self.cloud(req)
        return self.act(req, '/project/floating_ips', lambda: cloud.json(
            'network', 'PUT', '/v2.0/floatingips/%s' % app_mod.path_id(id),
            {'floatingip': {'port_id': None}}), 'Floating IP disassociated.')

    def release(self, req, id):
        cloud = self.cloud(req)
        return self.act(req, '/project/floating_ips', lambda: cloud.json(
            'network', 'DELETE', '/v2.0/floatingips/%s' % app_mod.path_id(id)),
            'Floating IP released.')


class SecurityGroups(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        groups, pager = self.table(req, cloud, 'network', '/v2.0/security-groups',
                                   'security_groups', project_id=cloud.project_id)
        return self.render(req, 'security_groups.html', groups=groups, **pager)

    def create(self, req):
        cloud = self.cloud(req)
        return self.act(req, '/project/security_groups', lambda: cloud.json(
            'network', 'POST', '/v2.0/security-groups', {'security_group': {
                'name': app_mod.form_text(req, 'name', True, label='Name'),
                'description': app_mod.form_text(req, 'description', label='Description')}}),
            'Security group created.')

    def detail(self, req, id):
        cloud = self.cloud(req)
        group = cloud.get('network', '/v2.0/security-groups/%s' % app_mod.path_id(id))[
            'security_group']
        return self.render(req, 'security_group_detail.html', group=group,
                           protocols=PROTOCOLS)

    def add_rule(self, req, id):
        cloud = self.cloud(req)
        id = app_mod.path_id(id)

        def run():
            rule = {'security_group_id': id,
                    'direction': req.POST.get('direction', 'ingress'),
                    'ethertype': req.POST.get('ethertype', 'IPv4')}
            if rule['direction'] not in ('ingress', 'egress'):
                raise exceptions.BadRequest('Direction is ingress or egress.')
            if rule['ethertype'] not in ('IPv4', 'IPv6'):
                raise exceptions.BadRequest('Ether type is IPv4 or IPv6.')
            protocol = req.POST.get('protocol', '')
            if protocol not in PROTOCOLS:
                raise exceptions.BadRequest('Protocol is tcp, udp, icmp or any.')
            if protocol:
                rule['protocol'] = protocol
            low = app_mod.form_int(req, 'port_range_min', 'Port from', 0, 65535, False)
            high = app_mod.form_int(req, 'port_range_max', 'Port to', 0, 65535, False)
            if high is None:
                high = low
            if low is not None:
                if protocol not in ('tcp', 'udp'):
                    raise exceptions.BadRequest('Ports need protocol tcp or udp.')
                if high < low:
                    raise exceptions.BadRequest('Port to is below port from.')
                rule['port_range_min'], rule['port_range_max'] = low, high
            remote = req.POST.get('remote_ip_prefix', '').strip()
            if remote:
                rule['remote_ip_prefix'] = _cidr(remote, 'Remote CIDR')
            return cloud.json('network', 'POST', '/v2.0/security-group-rules',
                              {'security_group_rule': rule})
        return self.act(req, '/project/security_groups/%s' % id, run, 'Rule added.')

    def delete_rule(self, req, id, rule_id):
        cloud = self.cloud(req)
        return self.act(req, '/project/security_groups/%s' % app_mod.path_id(id),
                        lambda: cloud.json('network', 'DELETE',
                                           '/v2.0/security-group-rules/%s'
                                           % app_mod.path_id(rule_id)), 'Rule deleted.')

    def delete(self, req, id):
        cloud = self.cloud(req)
        return self.act(req, '/project/security_groups', lambda: cloud.json(
            'network', 'DELETE', '/v2.0/security-groups/%s' % app_mod.path_id(id)),
            'Security group deleted.')


def add_routes(add, app):
    n = Networks(app)
    add('/project/networks', n, {'GET': 'index', 'POST': 'create'})
    add('/project/networks/{id}', n, {'GET': 'detail'})
    add('/project/networks/{id}/delete', n, {'POST': 'delete'})
    add('/project/networks/{id}/subnets', n, {'POST': 'add_subnet'})
    add('/project/networks/{id}/subnets/{subnet_id}/delete', n, {'POST': 'delete_subnet'})
    r = Routers(app)
    add('/project/routers', r, {'GET': 'index', 'POST': 'create'})
    add('/project/routers/{id}', r, {'GET': 'detail'})
    add('/project/routers/{id}/delete', r, {'POST': 'delete'})
    add('/project/routers/{id}/interfaces', r, {'POST': 'add_interface'})
    add('/project/routers/{id}/interfaces/remove', r, {'POST': 'remove_interface'})
    add('/project/routers/{id}/gateway', r, {'POST': 'gateway'})
    f = FloatingIPs(app)
    add('/project/floating_ips', f, {'GET': 'index', 'POST': 'allocate'})
    add('/project/floating_ips/{id}/associate', f, {'POST': 'associate'})
    add('/project/floating_ips/{id}/disassociate', f, {'POST': 'disassociate'})
    add('/project/floating_ips/{id}/release', f, {'POST': 'release'})
    g = SecurityGroups(app)
    add('/project/security_groups', g, {'GET': 'index', 'POST': 'create'})
    add('/project/security_groups/{id}', g, {'GET': 'detail'})
    add('/project/security_groups/{id}/delete', g, {'POST': 'delete'})
    add('/project/security_groups/{id}/rules', g, {'POST': 'add_rule'})
    add('/project/security_groups/{id}/rules/{rule_id}/delete', g, {'POST': 'delete_rule'})
