"""``network``: command-line client of the network API (common.cli: OS_* auth, catalog type
``network``; or a token and endpoint: OS_TOKEN with OS_URL / --os-endpoint-override).

    network [-f json|table|value] network list|show|create|delete ...
    network subnet create NAME --network NET --cidr CIDR [--gateway IP|none] ...
    network router add-subnet ROUTER SUBNET / set-gateway ROUTER [EXTNET]
    network floating-ip create NET [--port PORT] / set-port FIP PORT / unset-port FIP
"""
import os
import sys

from common import cli as cli_mod

ClientError = cli_mod.client_mod.ClientError
RESOURCES = {  # cli name -> (path, member, collection)
    'network': ('networks', 'network', 'networks'),
    'subnet': ('subnets', 'subnet', 'subnets'),
    'port': ('ports', 'port', 'ports'),
    'router': ('routers', 'router', 'routers'),
    'floating-ip': ('floatingips', 'floatingip', 'floatingips'),
    'security-group': ('security-groups', 'security_group', 'security_groups'),
    'security-group-rule': ('security-group-rules', 'security_group_rule',
                            'security_group_rules'),
    'agent': ('agents', 'agent', 'agents'),
}
LIST_COLUMNS = {
    'network': ['id', 'name', 'subnets', 'shared', 'router:external'],
    'subnet': ['id', 'name', 'network_id', 'cidr', 'gateway_ip'],
    'port': ['id', 'name', 'mac_address', 'fixed_ips', 'status'],
    'router': ['id', 'name', 'status', 'admin_state_up', 'external_gateway_info'],
    'floating-ip': ['id', 'floating_ip_address', 'fixed_ip_address', 'port_id'],
    'security-group': ['id', 'name', 'description'],
    'security-group-rule': ['id', 'security_group_id', 'direction', 'ethertype', 'protocol',
                            'port_range_min', 'port_range_max', 'remote_ip_prefix'],
    'agent': ['id', 'agent_type', 'host', 'alive', 'admin_state_up'],
}
PREFIX = '/v2.0/'


class NetworkCLI(cli_mod.CLI):
    """common.cli's CLI plus token + endpoint auth (OS_TOKEN with OS_URL or
    --os-endpoint-override), for callers that hold a token but no catalog."""

    def client(self, args):
        token = args.os_token or os.environ.get('OS_TOKEN')
        endpoint = args.os_endpoint_override or os.environ.get('OS_URL')
        if not (token and endpoint):
            return super().client(args)
        from keystoneauth1 import session as ks_session
        from keystoneauth1 import token_endpoint
        session = ks_session.Session(auth=token_endpoint.Token(endpoint, token))
        return cli_mod.client_mod.ServiceClient(session, self.service_type,
                                                endpoint_override=endpoint)


CLI = NetworkCLI('network', 'Manage networks, subnets, ports, routers, floating IPs and '
                 'security groups of the network service.', 'network')


def find(client, kind, ref):
    """An id from an id or a unique name."""
    path, member, collection = RESOURCES[kind]
    resp = client.get(PREFIX + '%s/%s' % (path, ref), raise_exc=False)
    if resp.status_code == 200:
        return resp.json()[member]['id']
    found = client.get(PREFIX + path, params={'name': ref}).json()[collection]
    if len(found) != 1:
        raise ClientError(404 if not found else 409, '%s %s: %s' % (
            kind, ref, 'not found' if not found else 'name is ambiguous'))
    return found[0]['id']


def _network_body(client, args):
    body = {}
    for flag, key in (('shared', 'shared'), ('external', 'router:external')):
        if getattr(args, flag):
            body[key] = True
    for attr, key in (('provider_network_type', 'provider:network_type'),
                      ('provider_physical_network', 'provider:physical_network'),
                      ('provider_segment', 'provider:segmentation_id')):
        if getattr(args, attr) is not None:
            body[key] = getattr(args, attr)
    return body


def _subnet_body(client, args):
    body = {'network_id': find(client, 'network', args.network), 'cidr': args.cidr,
            'ip_version': args.ip_version}
    if args.gateway is not None:
        body['gateway_ip'] = None if args.gateway == 'none' else args.gateway
    if args.no_dhcp:
        body['enable_dhcp'] = False
    if args.dns_nameserver:
        body['dns_nameservers'] = args.dns_nameserver
    if args.allocation_pool:
        body['allocation_pools'] = [dict(zip(('start', 'end'), p.split(',', 1)))
                                    for p in args.allocation_pool]
    return body


def _port_body(client, args):
    body = {'network_id': find(client, 'network', args.network)}
    if args.fixed_ip:
        body['fixed_ips'] = [dict(part.split('=', 1) for part in f.split(','))
                             for f in args.fixed_ip]
    for attr in ('device_owner', 'device_id'):
        if getattr(args, attr):
            body[attr] = getattr(args, attr)
    if args.host:
        body['binding:host_id'] = args.host
    return body


def _floating_ip_body(client, args):
    body = {'floating_network_id': find(client, 'network', args.network)}
    if args.port:
        body['port_id'] = find(client, 'port', args.port)
    return body


def _rule_body(client, args):
    body = {'security_group_id': find(client, 'security-group', args.group),
            'direction': 'egress' if args.egress else 'ingress', 'ethertype': args.ethertype}
    if args.protocol:
        body['protocol'] = args.protocol
    if args.dst_port:
        low, _, high = args.dst_port.partition(':')
        body['port_range_min'], body['port_range_max'] = int(low), int(high or low)
    if args.remote_ip:
        body['remote_ip_prefix'] = args.remote_ip
    if args.remote_group:
        body['remote_group_id'] = find(client, 'security-group', args.remote_group)
    return body


BODIES = {'network': _network_body, 'subnet': _subnet_body, 'port': _port_body,
          'router': lambda client, args: {}, 'floating-ip': _floating_ip_body,
          'security-group': lambda client, args: {'description': args.description or ''},
          'security-group-rule': _rule_body}

CREATE_ARGS = {
    'network': [(('--shared',), {'action': 'store_true'}),
                (('--external',), {'action': 'store_true'}),
                (('--provider-network-type',), {}), (('--provider-physical-network',), {}),
                (('--provider-segment',), {'type': int})],
    'subnet': [(('--network',), {'required': True}), (('--cidr',), {'required': True}),
               (('--ip-version',), {'type': int, 'choices': [4, 6], 'default': 4}),
               (('--gateway',), {'help': 'an IP, or none'}),
               (('--no-dhcp',), {'action': 'store_true'}),
               (('--dns-nameserver',), {'action': 'append'}),
               (('--allocation-pool',), {'action': 'append', 'help': 'START,END'})],
    'port': [(('--network',), {'required': True}),
             (('--fixed-ip',), {'action': 'append',
                                'help': 'subnet_id=ID,ip_address=IP (repeatable)'}),
             (('--device-owner',), {}), (('--device-id',), {}),
             (('--host',), {'help': 'binding:host_id (admin)'})],
    'router': [],
    'floating-ip': [(('network',), {}), (('--port',), {})],
    'security-group': [(('--description',), {})],
    'security-group-rule': [(('group',), {}), (('--egress',), {'action': 'store_true'}),
                            (('--ethertype',), {'choices': ['IPv4', 'IPv6'],
                                                'default': 'IPv4'}),
                            (('--protocol',), {}),
                            (('--dst-port',), {'help': 'PORT or MIN:MAX'}),
                            (('--remote-ip',), {}), (('--remote-group',), {})],
}


def _register(kind):
    """list, show, delete (and create) of one resource kind."""
    path, member, collection = RESOURCES[kind]
    columns = [(c, c) for c in LIST_COLUMNS[kind]]

    def list_(args, client):
        return cli_mod.table_of(client.get(PREFIX + path).json()[collection], columns)

    def show(args, client):
        return client.get(PREFIX + '%s/%s' % (path, find(client, kind, args.ref))).json()[
            member]

    def delete(args, client):
        for ref in args.refs:
            client.delete(PREFIX + '%s/%s' % (path, find(client, kind, ref)))

    def create(args, client):
        body = BODIES[kind](client, args)
        if getattr(args, 'name', None) is not None:
            body['name'] = args.name
        return client.post(PREFIX + path, {member: body}).json()[member]

    CLI.command('%s list' % kind, 'List %ss.' % kind)(list_)
    CLI.command('%s show' % kind, 'Show a %s.' % kind, [(('ref',), {})])(show)
    CLI.command('%s delete' % kind, 'Delete %ss.' % kind,
                [(('refs',), {'nargs': '+'})])(delete)
    if kind in CREATE_ARGS:
        named = [] if kind in ('floating-ip', 'security-group-rule') else [(('name',), {})]
        CLI.command('%s create' % kind, 'Create a %s.' % kind, named + CREATE_ARGS[kind])(
            create)


for _kind in RESOURCES:
    _register(_kind)


def _interface(verb):
    def run(args, client):
        return client.put(PREFIX + 'routers/%s/%s_router_interface' % (
            find(client, 'router', args.router), verb),
            {'subnet_id': find(client, 'subnet', args.subnet)}).json()
    return run


for _verb in ('add', 'remove'):
    CLI.command('router %s-subnet' % _verb, '%s a router interface on a subnet.'
                % _verb.capitalize(), [(('router',), {}), (('subnet',), {})])(_interface(_verb))


@CLI.command('router set-gateway', 'Set (or, without NETWORK, clear) a router\'s gateway.',
             [(('router',), {}), (('network',), {'nargs': '?',
                                                 'help': 'external network'})])
def set_gateway(args, client):
    info = {'network_id': find(client, 'network', args.network)} if args.network else None
    return client.put(PREFIX + 'routers/%s' % find(client, 'router', args.router),
                      {'router': {'external_gateway_info': info}}).json()['router']


def _associate(args, client, port):
    return client.put(PREFIX + 'floatingips/%s' % args.ref,
                      {'floatingip': {'port_id': port}}).json()['floatingip']


@CLI.command('floating-ip set-port', 'Associate a floating IP with a port.',
             [(('ref',), {}), (('port',), {})])
def set_port(args, client):
    return _associate(args, client, find(client, 'port', args.port))


@CLI.command('floating-ip unset-port', 'Disassociate a floating IP.', [(('ref',), {})])
def unset_port(args, client):
    return _associate(args, client, None)


def main(argv=None):
    return CLI.run(argv)


if __name__ == '__main__':
    sys.exit(main())
