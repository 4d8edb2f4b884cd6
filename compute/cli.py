"""``compute``: command-line client of the compute API (common.cli: OS_* auth, catalog type
``compute``; image and network names are looked up in their services' catalogs).

    compute [-f json|table|value] server list|show|delete|stop|start|reboot ...
    compute server create NAME --image IMG --flavor FLV [--network NET] [--key-name K]
                               [--user-data FILE] [--wait]
    compute console log SERVER [--lines N]
    compute flavor list|show; compute keypair list|create|delete; compute hypervisor list
"""
import base64
import sys

from common import cli as cli_mod

ClientError = cli_mod.client_mod.ClientError
# The version every request of this CLI speaks (flavor embedded in the server, 2.47+).
HEADERS = {'OpenStack-API-Version': 'compute 2.79'}
CLI = cli_mod.CLI('compute', 'Manage servers, flavors and key pairs of the compute '
                  'service.', 'compute')


def _get(client, path, params=None):
    return client.get(path, headers=HEADERS, params=params).json()


def _other(client, service_type):
    return cli_mod.client_mod.ServiceClient(client.session, service_type, client.interface,
                                            client.region_name)


def _find(items, ref, kind):
    found = [i for i in items if ref in (i.get('id'), i.get('name'))]
    if len(found) != 1:
        raise ClientError(404 if not found else 409, '%s %s: %s' % (
            kind, ref, 'not found' if not found else 'name is ambiguous'))
    return found[0]['id']


def server_id(client, ref):
    resp = client.get('/servers/%s' % ref, headers=HEADERS, raise_exc=False)
    if resp.status_code == 200:
        return ref
    return _find(_get(client, '/servers', {'name': '^%s$' % ref})['servers'], ref, 'server')


def _summary(server):
    addresses = '; '.join('%s=%s' % (net, ', '.join(a['addr'] for a in addrs))
                          for net, addrs in sorted((server.get('addresses') or {}).items()))
    return {'id': server['id'], 'name': server['name'], 'status': server['status'],
            'networks': addresses, 'flavor': (server.get('flavor') or {}).get('original_name'),
            'task_state': server.get('OS-EXT-STS:task_state')}


@CLI.command('server list', 'List servers.', [(('--all-projects',), {'action': 'store_true'})])
def server_list(args, client):
    params = {'all_tenants': 1} if args.all_projects else None
    servers = _get(client, '/servers/detail', params)['servers']
    return cli_mod.table_of([_summary(s) for s in servers], [
        ('ID', 'id'), ('Name', 'name'), ('Status', 'status'), ('Networks', 'networks'),
        ('Flavor', 'flavor')])


@CLI.command('server show', 'Show a server.', [(('server',), {})])
def server_show(args, client):
    return _get(client, '/servers/%s' % server_id(client, args.server))['server']


def _wait(client, sid, want, label):
    def check():
        resp = client.get('/servers/%s' % sid, headers=HEADERS, raise_exc=False)
        if resp.status_code == 404:
            return want == 'DELETED', 'DELETED'
        server = resp.json()['server']
        if server['status'] == 'ERROR':
            fault = (server.get('fault') or {}).get('message', '')
            raise ClientError(500, '%s: ERROR %s' % (label, fault))
        task = server.get('OS-EXT-STS:task_state')
        return server['status'] == want and not task, '%s%s' % (
            server['status'], ' (%s)' % task if task else '')
    return cli_mod.wait_for(check, label, timeout=600)


@CLI.command('server create', 'Boot a server.', [
    (('name',), {}), (('--image',), {'required': True}), (('--flavor',), {'required': True}),
    (('--network',), {'action': 'append', 'default': []}), (('--key-name',), {}),
    (('--user-data',), {'help': 'file given to the server as user data'}),
    (('--wait',), {'action': 'store_true', 'help': 'wait until ACTIVE, with a progress line'})])
def server_create(args, client):
    images = _other(client, 'image').get('/v2/images', params={'limit': 1000}).json()['images']
    image = _find(images, args.image, 'image')
    flavors = _get(client, '/flavors')['flavors']
    flavor = _find(flavors, args.flavor, 'flavor')
    networks = 'auto'
    if args.network:
        known = _other(client, 'network').get('/v2.0/networks').json()['networks']
        networks = [{'uuid': _find(known, n, 'network')} for n in args.network]
    body = {'name': args.name, 'imageRef': image, 'flavorRef': flavor, 'networks': networks}
    if args.key_name:
        body['key_name'] = args.key_name
    if args.user_data:
        with open(args.user_data, 'rb') as handle:
            body['user_data'] = base64.b64encode(handle.read()).decode()
    sid = client.post('/servers', {'server': body}, headers=HEADERS).json()['server']['id']
    if args.wait:
        _wait(client, sid, 'ACTIVE', 'server %s' % args.name)
    return _get(client, '/servers/%s' % sid)['server']


@CLI.command('server delete', 'Delete servers.', [
    (('servers',), {'nargs': '+'}), (('--wait',), {'action': 'store_true'})])
def server_delete(args, client):
    ids = [server_id(client, ref) for ref in args.servers]
    for sid in ids:
        client.delete('/servers/%s' % sid, headers=HEADERS)
    if args.wait:
        for sid in ids:
            _wait(client, sid, 'DELETED', 'server %s' % sid)


def _action(body, want):
    def run(args, client):
        sid = server_id(client, args.server)
        client.post('/servers/%s/action' % sid, body(args), headers=HEADERS)
        if args.wait:
            _wait(client, sid, want, 'server %s' % args.server)
    return run


for _name, _body, _want in (
        ('stop', lambda a: {'os-stop': None}, 'SHUTOFF'),
        ('start', lambda a: {'os-start': None}, 'ACTIVE'),
        ('reboot', lambda a: {'reboot': {'type': 'HARD' if a.hard else 'SOFT'}}, 'ACTIVE'),
        ('pause', lambda a: {'pause': None}, 'PAUSED'),
        ('unpause', lambda a: {'unpause': None}, 'ACTIVE'),
        ('suspend', lambda a: {'suspend': None}, 'SUSPENDED'),
        ('resume', lambda a: {'resume': None}, 'ACTIVE')):
    _args = [(('server',), {}), (('--wait',), {'action': 'store_true'})]
    if _name == 'reboot':
        _args.append((('--hard',), {'action': 'store_true'}))
    CLI.command('server %s' % _name, '%s a server.' % _name.capitalize(), _args)(
        _action(_body, _want))


@CLI.command('console log', 'Show the console output of a server.', [
    (('server',), {}), (('--lines',), {'type': int, 'default': None})])
def console_log(args, client):
    sid = server_id(client, args.server)
    body = {'os-getConsoleOutput': {'length': args.lines}}
    sys.stdout.write(client.post('/servers/%s/action' % sid, body,
                                 headers=HEADERS).json()['output'])


@CLI.command('flavor list', 'List flavors.')
def flavor_list(args, client):
    return cli_mod.table_of(_get(client, '/flavors/detail')['flavors'], [
        ('ID', 'id'), ('Name', 'name'), ('RAM', 'ram'), ('Disk', 'disk'), ('VCPUs', 'vcpus')])


@CLI.command('flavor show', 'Show a flavor.', [(('flavor',), {})])
def flavor_show(args, client):
    fid = _find(_get(client, '/flavors')['flavors'], args.flavor, 'flavor')
    return _get(client, '/flavors/%s' % fid)['flavor']


@CLI.command('keypair list', 'List your key pairs.')
def keypair_list(args, client):
    keys = [k['keypair'] for k in _get(client, '/os-keypairs')['keypairs']]
    return cli_mod.table_of(keys, [('Name', 'name'), ('Fingerprint', 'fingerprint'),
                                   ('Type', 'type')])


@CLI.command('keypair create', 'Import a public key.', [
    (('name',), {}), (('--public-key',), {'required': True, 'help': 'public key file'})])
def keypair_create(args, client):
    with open(args.public_key) as handle:
        key = handle.read().strip()
    return client.post('/os-keypairs', {'keypair': {'name': args.name, 'public_key': key}},
                       headers=HEADERS).json()['keypair']


@CLI.command('keypair delete', 'Delete key pairs.', [(('names',), {'nargs': '+'})])
def keypair_delete(args, client):
    for name in args.names:
        client.delete('/os-keypairs/%s' % name, headers=HEADERS)


@CLI.command('hypervisor list', 'List hypervisors with their use (admin).')
def hypervisor_list(args, client):
    hvs = _get(client, '/os-hypervisors/detail')['hypervisors']
    return cli_mod.table_of(hvs, [
        ('ID', 'id'), ('Hostname', 'hypervisor_hostname'), ('State', 'state'),
        ('vCPUs used', 'vcpus_used'), ('vCPUs', 'vcpus'), ('RAM used', 'memory_mb_used'),
        ('RAM', 'memory_mb'), ('Servers', 'running_vms')])


def main(argv=None):
    return CLI.run(argv)


if __name__ == '__main__':
    sys.exit(main())
