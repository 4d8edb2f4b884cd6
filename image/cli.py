"""``image``: the image service's command-line client (OS_* auth, catalog type ``image``)."""
import os
import sys

from common import cli as cli_mod

# Token + endpoint auth (OS_AUTH_TYPE=admin_token) comes with common.cli.
CLI = cli_mod.CLI('image', 'Manage images of the image service.', 'image')
PATCH = {'Content-Type': 'application/openstack-images-v2.1-json-patch'}
OCTET = {'Content-Type': 'application/octet-stream'}
CHUNK = 1024 * 1024
LIST_COLUMNS = [('ID', 'id'), ('Name', 'name'), ('Status', 'status'),
                ('Disk Format', 'disk_format'), ('Size', 'size'),
                ('Visibility', 'visibility')]
MEMBER_COLUMNS = [('Image ID', 'image_id'), ('Member ID', 'member_id'), ('Status', 'status')]


def _find(client, ref):
    """An image by id, else by unique name."""
    resp = client.get('/v2/images/%s' % ref, raise_exc=False)
    if resp.status_code == 200:
        return resp.json()
    matches = client.get('/v2/images', params={'name': ref, 'limit': 2}).json()['images']
    if len(matches) != 1:
        raise cli_mod.client_mod.ClientError(404 if not matches else 409, 'No unique image '
                                             'named or with ID %s' % ref)
    return matches[0]


def _properties(pairs):
    props = {}
    for pair in pairs or []:
        key, sep, value = pair.partition('=')
        if not sep or not key:
            raise cli_mod.client_mod.ClientError(400, '--property takes key=value, got %r'
                                                 % pair)
        props[key] = value
    return props


def _read_file(path, bar):
    with open(path, 'rb') as handle:
        while True:
            data = handle.read(CHUNK)
            if not data:
                break
            bar.update(len(data))
            yield data
    bar.finish()


_IMAGE_ARGS = [
    (('--disk-format',), {'choices': ['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso',
                                      'ami', 'aki', 'ari']}),
    (('--container-format',), {'choices': ['bare', 'ovf', 'ova', 'ami', 'aki', 'ari',
                                           'docker', 'compressed']}),
    (('--visibility',), {'choices': ['public', 'private', 'shared', 'community']}),
    (('--min-disk',), {'type': int}), (('--min-ram',), {'type': int}),
    (('--protected',), {'action': 'store_true', 'default': None}),
    (('--unprotected',), {'dest': 'protected', 'action': 'store_false'}),
    (('--property',), {'action': 'append', 'metavar': 'KEY=VALUE'}),
    (('--tag',), {'action': 'append'}),
]


def _fields(args):
    fields = {}
    for name in ('disk_format', 'container_format', 'visibility', 'min_disk', 'min_ram',
                 'protected'):
        if getattr(args, name, None) is not None:
            fields[name] = getattr(args, name)
    return fields


@CLI.command('list', 'List images.', [
    (('--limit',), {'type': int}), (('--visibility',), {}), (('--name',), {}),
    (('--status',), {}), (('--tag',), {'action': 'append'}), (('--member-status',), {})])
def list_images(args, client):
    params = {k: v for k, v in {'limit': args.limit, 'visibility': args.visibility,
                                'name': args.name, 'status': args.status,
                                'tag': args.tag, 'member_status': args.member_status
                                }.items() if v is not None}
    images, url = [], '/v2/images'
    while url:
        body = client.get(url, params=params).json()
        images += body['images']
        # ``next`` is a path with every filter in it; follow it unless a limit was asked.
        url, params = (body.get('next') if not args.limit else None), None
    return cli_mod.table_of(images, LIST_COLUMNS)


@CLI.command('show', 'Show an image.', [(('image',), {})])
def show(args, client):
    return _find(client, args.image)


@CLI.command('create', 'Create an image, optionally uploading its data.', [
    (('name',), {}), (('--file',), {'help': 'upload this file as the image data'}),
    (('--store',), {'help': 'store to upload to'})] + _IMAGE_ARGS)
def create(args, client):
    body = dict(_fields(args), name=args.name, **_properties(args.property))
    if args.tag:
        body['tags'] = args.tag
    image = client.post('/v2/images', body).json()
    if args.file:
        _upload(client, image['id'], args.file, args.store)
        image = client.get('/v2/images/%s' % image['id']).json()
    return image


def _upload(client, image_id, path, store=None):
    bar = cli_mod.ProgressBar(os.path.getsize(path), 'upload', force=True)
    headers = dict(OCTET)
    if store:
        headers['X-Image-Meta-Store'] = store
    client.put('/v2/images/%s/file' % image_id, data=_read_file(path, bar), headers=headers)


@CLI.command('upload', 'Upload data into a queued image.', [
    (('image',), {}), (('--file',), {'required': True}), (('--store',), {})])
def upload(args, client):
    image = _find(client, args.image)
    _upload(client, image['id'], args.file, args.store)
    return client.get('/v2/images/%s' % image['id']).json()


@CLI.command('save', 'Download image data to a file (or stdout).', [
    (('image',), {}), (('--file', '-o'), {'help': 'write here instead of stdout'})])
def save(args, client):
    image = _find(client, args.image)
    resp = client.get('/v2/images/%s/file' % image['id'], stream=True)
    if resp.status_code == 204:
        raise cli_mod.client_mod.ClientError(404, 'Image %s has no data' % image['id'])
    bar = cli_mod.ProgressBar(image.get('size'), 'download', force=True)
    out = open(args.file, 'wb') if args.file else sys.stdout.buffer
    try:
        for chunk in resp.iter_content(CHUNK):
            out.write(chunk)
            bar.update(len(chunk))
        bar.finish()
    finally:
        if args.file:
            out.close()
    return None


CLI.command('download', 'Download image data (same as save).', [
    (('image',), {}), (('--file', '-o'), {'help': 'write here instead of stdout'})])(save)


@CLI.command('set', 'Change an image\'s attributes and properties.', [
    (('image',), {}), (('--name',), {}),
    (('--remove-property',), {'action': 'append', 'metavar': 'KEY'})] + _IMAGE_ARGS)
def set_image(args, client):
    image = _find(client, args.image)
    changes = []
    fields = _fields(args)
    if args.name is not None:
        fields['name'] = args.name
    fields.update(_properties(args.property))
    for key, value in fields.items():
        changes.append({'op': 'add', 'path': '/' + key.replace('~', '~0').replace('/', '~1'),
                        'value': value})
    for key in args.remove_property or []:
        changes.append({'op': 'remove', 'path': '/' + key})
    if args.tag:
        changes.append({'op': 'replace', 'path': '/tags',
                        'value': sorted(set(image['tags']) | set(args.tag))})
    return client.patch('/v2/images/%s' % image['id'], json_body=changes,
                        headers=PATCH).json()


CLI.command('update', 'Change an image (same as set).', [
    (('image',), {}), (('--name',), {}),
    (('--remove-property',), {'action': 'append', 'metavar': 'KEY'})] + _IMAGE_ARGS)(set_image)


@CLI.command('delete', 'Delete images.', [(('images',), {'nargs': '+'})])
def delete(args, client):
    for ref in args.images:
        client.delete('/v2/images/%s' % _find(client, ref)['id'])
    return None


@CLI.command('tag add', 'Add a tag to an image.', [(('image',), {}), (('tag',), {})])
def tag_add(args, client):
    client.put('/v2/images/%s/tags/%s' % (_find(client, args.image)['id'], args.tag))
    return None


@CLI.command('tag remove', 'Remove a tag from an image.', [(('image',), {}), (('tag',), {})])
def tag_remove(args, client):
    client.delete('/v2/images/%s/tags/%s' % (_find(client, args.image)['id'], args.tag))
    return None


@CLI.command('member add', 'Share an image with a project.', [(('image',), {}),
                                                              (('project',), {})])
def member_add(args, client):
    image = _find(client, args.image)
    return client.post('/v2/images/%s/members' % image['id'], {'member': args.project}).json()


@CLI.command('member list', 'List the members of an image.', [(('image',), {})])
def member_list(args, client):
    image = _find(client, args.image)
    members = client.get('/v2/images/%s/members' % image['id']).json()['members']
    return cli_mod.table_of(members, MEMBER_COLUMNS)


@CLI.command('member set', 'Accept, reject or leave pending an image shared with you.', [
    (('image',), {}), (('project',), {}),
    (('status',), {'choices': ['accepted', 'rejected', 'pending']})])
def member_set(args, client):
    return client.put('/v2/images/%s/members/%s' % (args.image, args.project),
                      {'status': args.status}).json()


@CLI.command('member remove', 'Stop sharing an image with a project.', [
    (('image',), {}), (('project',), {})])
def member_remove(args, client):
    client.delete('/v2/images/%s/members/%s' % (_find(client, args.image)['id'],
                                                args.project))
    return None


def main(argv=None):
    return CLI.run(argv)


if __name__ == '__main__':
    sys.exit(main())
