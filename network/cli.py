"""``network``: command-line client of the network API (OS_* environment for auth).

    network [-f json|table] network list|show|create|delete ...
    network subnet create --network NET --cidr CIDR [--gateway IP|none] ...
    network router add-subnet ROUTER SUBNET / set-gateway ROUTER EXTNET
"""
import argparse
import json
import os
import sys

import prettytable

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


class CLIError(Exception):
    pass


class Client:
    """A keystoneauth1 session aimed at the network endpoint."""

    def __init__(self, args):
        from keystoneauth1 import session as ks_session
        if args.os_token and args.os_url:
            from keystoneauth1 import token_endpoint
            auth = token_endpoint.Token(args.os_url, args.os_token)
            self.endpoint = args.os_url.rstrip('/')
        else:
            from keystoneauth1.identity import v3
            if not args.os_auth_url:
                raise CLIError('set OS_AUTH_URL (or --os-url and --os-token)')
            auth = v3.Password(auth_url=args.os_auth_url, username=args.os_username,
                               password=args.os_password, project_name=args.os_project_name,
                               user_domain_name=args.os_user_domain_name,
                               project_domain_name=args.os_project_domain_name)
            self.endpoint = None
        self.session = ks_session.Session(auth=auth)

    def request(self, method, path, body=None, params=None):
        kwargs = {'raise_exc': False, 'params': params}
        if self.endpoint:
            url = self.endpoint + '/v2.0/' + path
        else:
            url = '/v2.0/' + path
            kwargs['endpoint_filter'] = {'service_type': 'network', 'interface': 'public'}
        if body is not None:
            kwargs['json'] = body
        resp = self.session.request(url, method, **kwargs)
        data = resp.json() if resp.content else None
        if resp.status_code >= 400:
            err = (data or {}).get('NeutronError', {}) if isinstance(data, dict) else {}
            raise CLIError('%s %s: %s' % (resp.status_code, err.get('type', ''),
                                          err.get('message', resp.text)))
        return data

    def find(self, kind, ref):
        """An id from an id or a unique name."""
        path, member, collection = RESOURCES[kind]
        try:
            return self.request('GET', '%s/%s' % (path, ref))[member]['id']
        except CLIError:
            found = self.request('GET', path, params={'name': ref})[collection]
            if len(found) != 1:
                raise CLIError('%s %s: %s' % (kind, ref, 'not found' if not found
                                               else 'name is ambiguous'))
            return found[0]['id']


def _fmt(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return '' if value is None else str(value)


def output(args, data, columns=None):
    if args.format == 'json':
        print(json.dumps(data, indent=2, sort_keys=True))
        return
    table = prettytable.PrettyTable()
    if isinstance(data, list):
        table.field_names = columns
        for row in data:
            table.add_row([_fmt(row.get(c)) for c in columns])
    elif data is not None:
        table.field_names = ['Field', 'Value']
        for key in sorted(data):
            table.add_row([key, _fmt(data[key])])
    table.align = 'l'
    print(table)


def _create_body(client, kind, args):
    body = {}
    if getattr(args, 'name', None) is not None:
        body['name'] = args.name
    if kind == 'network':
        for flag, key in (('shared', 'shared'), ('external', 'router:external')):
            if getattr(args, flag):
                body[key] = True
        for attr, key in (('provider_network_type', 'provider:network_type'),
                          ('provider_physical_network', 'provider:physical_network'),
                          ('provider_segment', 'provider:segmentation_id')):
            if getattr(args, attr) is not None:
                body[key] = getattr(args, attr)
    elif kind == 'subnet':
        body.update(network_id=client.find('network', args.network), cidr=args.cidr,
                    ip_version=args.ip_version)
        if args.gateway is not None:
            body['gateway_ip'] = None if args.gateway == 'none' else args.gateway
        if args.no_dhcp:
            body['enable_dhcp'] = False
        if args.dns_nameserver:
            body['dns_nameservers'] = args.dns_nameserver
        if args.allocation_pool:
            body['allocation_pools'] = [dict(zip(('start', 'end'), p.split(',', 1)))
                                        for p in args.allocation_pool]
    elif kind == 'port':
        body['network_id'] = client.find('network', args.network)
        if args.fixed_ip:
            body['fixed_ips'] = [dict(part.split('=', 1) for part in f.split(','))
                                 for f in args.fixed_ip]
        if args.device_owner:
            body['device_owner'] = args.device_owner
        if args.device_id:
            body['device_id'] = args.device_id
    elif kind == 'floating-ip':
        body = {'floating_network_id': client.find('network', args.network)}
        if args.port:
            body['port_id'] = client.find('port', args.port)
    elif kind == 'security-group':
        body['description'] = args.description or ''
    elif kind == 'security-group-rule':
        body = {'security_group_id': client.find('security-group', args.group),
                'direction': 'egress' if args.egress else 'ingress',
                'ethertype': args.ethertype}
        if args.protocol:
            body['protocol'] = args.protocol
        if args.dst_port:
            low, _, high = args.dst_port.partition(':')
            body['port_range_min'], body['port_range_max'] = int(low), int(high or low)
        if args.remote_ip:
            body['remote_ip_prefix'] = args.remote_ip
        if args.remote_group:
            body['remote_group_id'] = client.find('security-group', args.remote_group)
    return body


def dispatch(client, args):
    kind, action = args.kind, args.action
    path, member, collection = RESOURCES[kind]
    if action == 'list':
        output(args, client.request('GET', path)[collection], LIST_COLUMNS[kind])
    elif action == 'show':
        output(args, client.request('GET', '%s/%s' % (path, client.find(kind, args.ref)))[member])
    elif action == 'delete':
        for ref in args.refs:
            client.request('DELETE', '%s/%s' % (path, client.find(kind, ref)))
    elif action == 'create':
        output(args, client.request('POST', path, {member: _create_body(client, kind, args)})[
            member])
    elif action in ('add-subnet', 'remove-subnet'):
        verb = 'add' if action == 'add-subnet' else 'remove'
        output(args, client.request('PUT', 'routers/%s/%s_router_interface' % (
            client.find('router', args.router), verb),
            {'subnet_id': client.find('subnet', args.subnet)}))
    elif action == 'set-gateway':
        info = {'network_id': client.find('network', args.network)} if args.network else None
        output(args, client.request('PUT', 'routers/%s' % client.find('router', args.router),
                                    {'router': {'external_gateway_info': info}})['router'])
    elif action in ('set-port', 'unset-port'):
        port = client.find('port', args.port) if action == 'set-port' else None
        output(args, client.request('PUT', 'floatingips/%s' % args.ref,
                                    {'floatingip': {'port_id': port}})['floatingip'])


def build_parser():
    env = os.environ.get
    parser = argparse.ArgumentParser(prog='network', description='Network API client')
    parser.add_argument('-f', '--format', choices=['table', 'json'], default='table')
    parser.add_argument('--os-auth-url', default=env('OS_AUTH_URL'))
    parser.add_argument('--os-username', default=env('OS_USERNAME'))
    parser.add_argument('--os-password', default=env('OS_PASSWORD'))
    parser.add_argument('--os-project-name', default=env('OS_PROJECT_NAME'))
    parser.add_argument('--os-user-domain-name', default=env('OS_USER_DOMAIN_NAME', 'Default'))
    parser.add_argument('--os-project-domain-name',
                        default=env('OS_PROJECT_DOMAIN_NAME', 'Default'))
    parser.add_argument('--os-token', default=env('OS_TOKEN'))
    parser.add_argument('--os-url', default=env('OS_URL'), help='network endpoint (with token)')
    kinds = parser.add_subparsers(dest='kind', required=True)
    for kind in RESOURCES:
        actions = kinds.add_parser(kind).add_subparsers(dest='action', required=True)
        actions.add_parser('list')
        actions.add_parser('show').add_argument('ref')
        actions.add_parser('delete').add_argument('refs', nargs='+')
        if kind == 'agent':
            continue
        create = actions.add_parser('create')
        if kind not in ('floating-ip', 'security-group-rule'):
            create.add_argument('name')
        if kind == 'network':
            create.add_argument('--shared', action='store_true')
            create.add_argument('--external', action='store_true')
            create.add_argument('--provider-network-type')
            create.add_argument('--provider-physical-network')
            create.add_argument('--provider-segment', type=int)
        elif kind == 'subnet':
            create.add_argument('--network', required=True)
            create.add_argument('--cidr', required=True)
            create.add_argument('--ip-version', type=int, choices=[4, 6], default=4)
            create.add_argument('--gateway', help='an IP, or none')
            create.add_argument('--no-dhcp', action='store_true')
            create.add_argument('--dns-nameserver', action='append')
            create.add_argument('--allocation-pool', action='append', help='START,END')
        elif kind == 'port':
            create.add_argument('--network', required=True)
            create.add_argument('--fixed-ip', action='append',
                                help='subnet_id=ID,ip_address=IP (repeatable)')
            create.add_argument('--device-owner')
            create.add_argument('--device-id')
        elif kind == 'floating-ip':
            create.add_argument('network')
            create.add_argument('--port')
            setp = actions.add_parser('set-port')
            setp.add_argument('ref')
            setp.add_argument('port')
            actions.add_parser('unset-port').add_argument('ref')
        elif kind == 'security-group':
            create.add_argument('--description')
        elif kind == 'security-group-rule':
            create.add_argument('group')
            create.add_argument('--egress', action='store_true')
            create.add_argument('--ethertype', choices=['IPv4', 'IPv6'], default='IPv4')
            create.add_argument('--protocol')
            create.add_argument('--dst-port', help='PORT or MIN:MAX')
            create.add_argument('--remote-ip')
            create.add_argument('--remote-group')
        elif kind == 'router':
            for name in ('add-subnet', 'remove-subnet'):
                sub = actions.add_parser(name)
                sub.add_argument('router')
                sub.add_argument('subnet')
            gw = actions.add_parser('set-gateway')
            gw.add_argument('router')
            gw.add_argument('network', nargs='?', help='external network (omit to clear)')
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        dispatch(Client(args), args)
    except CLIError as exc:
        sys.stderr.write('network: %s\n' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
