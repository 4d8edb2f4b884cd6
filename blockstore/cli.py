"""``blockstore``: command-line client of the block storage API (common.cli: OS_* auth,
catalog type ``block-storage``).

    blockstore [-f json|table|value] volume list|show|create|delete ...
    blockstore volume create NAME --size GB [--snapshot S | --source V | --image I] [--wait]
    blockstore snapshot list|show|create|delete, backup list|show|create|restore|delete,
    blockstore type list|create|delete
"""
import sys

from common import cli as cli_mod

ClientError = cli_mod.client_mod.ClientError
CLI = cli_mod.CLI('blockstore', 'Manage volumes, snapshots, backups and volume types of the '
                  'block storage service.', 'block-storage')
# cli name -> (path, member, collection, list columns)
RESOURCES = {
    'volume': ('volumes', 'volume', 'volumes',
               ['id', 'name', 'status', 'size', 'volume_type', 'bootable']),
    'snapshot': ('snapshots', 'snapshot', 'snapshots',
                 ['id', 'name', 'status', 'size', 'volume_id']),
    'backup': ('backups', 'backup', 'backups',
               ['id', 'name', 'status', 'size', 'volume_id', 'is_incremental']),
    'type': ('types', 'volume_type', 'volume_types', ['id', 'name', 'is_public']),
}
STABLE = {'available', 'in-use', 'error', 'error_restoring', 'error_extending',
          'error_deleting'}


def find(client, kind, ref):
    """An id from an id or a unique name."""
    path, member, collection, _ = RESOURCES[kind]
    resp = client.get('/%s/%s' % (path, ref), raise_exc=False)
    if resp.status_code == 200:
        return resp.json()[member]['id']
    found = [x for x in client.get('/%s/detail' % path if kind != 'type' else '/types')
             .json()[collection] if x.get('name') == ref]
    if len(found) != 1:
        raise ClientError(404 if not found else 409, '%s %s: %s' % (
            kind, ref, 'not found' if not found else 'name is ambiguous'))
    return found[0]['id']


def wait_stable(client, kind, ident, timeout=600):
    path, member = RESOURCES[kind][:2]

    def check():
        item = client.get('/%s/%s' % (path, ident)).json()[member]
        return item['status'] in STABLE, item['status']
    cli_mod.wait_for(check, '%s %s' % (kind, ident), timeout)
    return client.get('/%s/%s' % (path, ident)).json()[member]


def _crud(kind):
    path, member, collection, columns = RESOURCES[kind]

    @CLI.command('%s list' % kind, 'list %ss' % kind)
    def list_(args, client):
        suffix = '' if kind == 'type' else '/detail'
        return cli_mod.table_of(client.get('/%s%s' % (path, suffix)).json()[collection],
                                [(c.replace('_', ' ').title(), c) for c in columns])

    @CLI.command('%s show' % kind, 'show a %s' % kind, [(('ref',), {})])
    def show(args, client):
        return client.get('/%s/%s' % (path, find(client, kind, args.ref))).json()[member]

    @CLI.command('%s delete' % kind, 'delete %ss' % kind, [(('refs',), {'nargs': '+'})])
    def delete(args, client):
        for ref in args.refs:
            client.delete('/%s/%s' % (path, find(client, kind, ref)))


for _kind in RESOURCES:
    _crud(_kind)

WAIT = (('--wait',), {'action': 'store_true', 'help': 'wait until it is ready'})


@CLI.command('volume create', 'create a volume', [
    (('name',), {}), (('--size',), {'type': int}), (('--type',), {}),
    (('--snapshot',), {}), (('--source',), {}), (('--image',), {}),
    (('--availability-zone',), {}), WAIT])
def volume_create(args, client):
    body = {'name': args.name, 'size': args.size}
    if args.type:
        body['volume_type'] = args.type
    if args.snapshot:
        body['snapshot_id'] = find(client, 'snapshot', args.snapshot)
    if args.source:
        body['source_volid'] = find(client, 'volume', args.source)
    if args.image:
        body['imageRef'] = args.image
    if args.availability_zone:
        body['availability_zone'] = args.availability_zone
    vol = client.post('/volumes', {'volume': body}).json()['volume']
    return wait_stable(client, 'volume', vol['id']) if args.wait else vol


@CLI.command('snapshot create', 'snapshot a volume', [
    (('name',), {}), (('--volume',), {'required': True}),
    (('--force',), {'action': 'store_true', 'help': 'also of an in-use volume'}), WAIT])
def snapshot_create(args, client):
    snap = client.post('/snapshots', {'snapshot': {
        'name': args.name, 'volume_id': find(client, 'volume', args.volume),
        'force': args.force}}).json()['snapshot']
    return wait_stable(client, 'snapshot', snap['id']) if args.wait else snap


@CLI.command('backup create', 'back a volume up to the object store', [
    (('volume',), {}), (('--name',), {}),
    (('--incremental',), {'action': 'store_true'}), WAIT])
def backup_create(args, client):
    bak = client.post('/backups', {'backup': {
        'name': args.name, 'volume_id': find(client, 'volume', args.volume),
        'incremental': args.incremental}}).json()['backup']
    return wait_stable(client, 'backup', bak['id']) if args.wait else bak


@CLI.command('backup restore', 'restore a backup to a new or an existing volume', [
    (('backup',), {}), (('--volume',), {'help': 'existing volume (default: a new one)'}),
    (('--name',), {'help': 'name of the new volume'}), WAIT])
def backup_restore(args, client):
    body = {'name': args.name} if args.name else {}
    if args.volume:
        body['volume_id'] = find(client, 'volume', args.volume)
    restore = client.post('/backups/%s/restore' % find(client, 'backup', args.backup),
                          {'restore': body}).json()['restore']
    return wait_stable(client, 'volume', restore['volume_id']) if args.wait else restore


@CLI.command('type create', 'create a volume type (admin)', [
    (('name',), {}), (('--property',), {'action': 'append', 'default': [],
                                        'help': 'extra spec KEY=VALUE'}),
    (('--private',), {'action': 'store_true'})])
def type_create(args, client):
    specs = dict(p.split('=', 1) for p in args.property)
    return client.post('/types', {'volume_type': {
        'name': args.name, 'extra_specs': specs,
        'os-volume-type-access:is_public': not args.private}}).json()['volume_type']


def main(argv=None):
    return CLI.run(argv)


if __name__ == '__main__':
    sys.exit(main())
