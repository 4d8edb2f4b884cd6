"""``objectstore``: the object store command-line client (Swift API v1).

Authentication comes from OS_* variables or --os-* options (password, token or
application credential, keystoneauth1) and the endpoint from the catalog (service type
``object-store``), or directly from OS_STORAGE_URL + OS_AUTH_TOKEN.
"""
import hashlib
import json
import os
import sys
import urllib.parse

import requests
from keystoneauth1 import exceptions as ks_exc

from common import cli as cli_mod
from common import client as client_mod

CHUNK = 65536
STAT_PREFIXES = ('x-account', 'x-container', 'x-object', 'content', 'etag', 'last-modified',
                 'x-timestamp', 'x-static', 'x-versions', 'x-history')


class CLIError(Exception):
    """A failure to report to the user (exit status 1)."""


class SwiftClient(client_mod.ServiceClient):
    """A ServiceClient whose paths are a container and an object of the storage URL."""

    def call(self, method, container=None, obj=None, **kw):
        path = ''
        if container:
            path += '/' + urllib.parse.quote(container, safe='')
            if obj:
                path += '/' + urllib.parse.quote(obj, safe='/')
        try:
            return self.request(method, path, **kw)
        except client_mod.ClientError as exc:
            raise client_mod.ClientError(exc.status, '%s %s: %s' % (
                method, path or '/', exc.message), exc.request_id)


class ObjectStoreCLI(cli_mod.CLI):
    def _add_global_options(self, parser):
        super()._add_global_options(parser)
        parser.add_argument('--os-storage-url', default=os.environ.get('OS_STORAGE_URL'),
                            help='storage URL to use with --os-auth-token (OS_STORAGE_URL)')
        parser.add_argument('--os-auth-token', default=os.environ.get('OS_AUTH_TOKEN'),
                            help='token for --os-storage-url (OS_AUTH_TOKEN)')

    def client(self, args):
        if args.os_storage_url and args.os_auth_token:
            url = args.os_storage_url.rstrip('/')
            session = client_mod.token_session(url, args.os_auth_token)
            return SwiftClient(session, self.service_type, endpoint_override=url)
        if not (args.os_auth_url or os.environ.get('OS_AUTH_URL')):
            raise CLIError('set OS_AUTH_URL (and OS_USERNAME/OS_PASSWORD or OS_TOKEN), or '
                           'OS_STORAGE_URL and OS_AUTH_TOKEN')
        base = super().client(args)
        client = SwiftClient(base.session, base.service_type, base.interface,
                             base.region_name, base.endpoint_override)
        try:  # authenticate now, so that bad credentials are one clear error
            client.endpoint()
        except ks_exc.ClientException as exc:
            raise CLIError('authentication failed: %s' % exc)
        return client

    def run(self, argv=None):
        debug = '--debug' in (sys.argv[1:] if argv is None else argv)
        try:
            return super().run(argv)
        except (CLIError, OSError, requests.RequestException, ks_exc.ClientException) as exc:
            if debug:
                raise
            sys.stderr.write('%s: error: %s\n' % (self.prog, exc))
            return 1


CLI = ObjectStoreCLI('objectstore', 'Manage containers and objects of the object store '
                     '(Swift API v1).', 'object-store')


class _Body:
    """A file slice requests streams with a Content-Length (a generator would make it
    send chunked), counting progress as it is read."""

    def __init__(self, handle, progress, length):
        self.handle = handle
        self.progress = progress
        self.remaining = length
        self.len = length

    def __len__(self):
        return self.len

    def read(self, size=-1):
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self.handle.read(size) if size else b''
        self.remaining -= len(data)
        self.progress.update(len(data))
        return data


def _etag(resp):
    return resp.headers.get('ETag', '').strip('"')


# -- commands -------------------------------------------------------------------
@CLI.command('stat', 'Show account, container or object headers.',
             [(('container',), {'nargs': '?'}), (('object',), {'nargs': '?'})])
def cmd_stat(args, client):
    resp = client.call('HEAD', args.container, args.object)
    return {_header_name(k): v for k, v in resp.headers.items()
            if k.lower().startswith(STAT_PREFIXES)}


def _header_name(name):
    """One spelling whatever the server sent: X-Object-Meta-Color, ETag."""
    name = '-'.join(part.capitalize() for part in name.split('-'))
    return 'ETag' if name == 'Etag' else name


@CLI.command('list', 'List containers (of the account) or objects (of a container).',
             [(('container',), {'nargs': '?'}), (('--prefix',), {}), (('--delimiter',), {}),
              (('--marker',), {}), (('--limit',), {'type': int})])
def cmd_list(args, client):
    params = {'format': 'json'}
    for key in ('prefix', 'delimiter', 'marker', 'limit'):
        if getattr(args, key):
            params[key] = getattr(args, key)
    rows = []
    while True:  # the server returns at most its listing limit per page
        resp = client.call('GET', args.container, params=params)
        page = resp.json() if resp.status_code == 200 else []
        rows.extend(page)
        if not page or args.limit:
            break
        params['marker'] = page[-1].get('subdir') or page[-1]['name']
    if args.container:
        return cli_mod.Table(['Name', 'Bytes', 'Last Modified', 'Hash'], [
            [r.get('subdir') or r['name'], r.get('bytes', ''), r.get('last_modified', ''),
             r.get('hash', '')] for r in rows])
    return cli_mod.Table(['Name', 'Count', 'Bytes'], [
        [r.get('subdir') or r['name'], r.get('count', ''), r.get('bytes', '')] for r in rows])


@CLI.command('upload', 'Upload a file (segmented as a static large object when larger than '
             '--segment-size).',
             [(('container',), {}), (('file',), {}),
              (('--object-name',), {'dest': 'object'}),
              (('--segment-size',), {'type': int, 'default': 0,
                                     'help': 'split files larger than this many bytes into '
                                             'segments (in <container>_segments)'}),
              (('--progress',), {'action': 'store_true', 'help': 'show a progress bar even '
                                                                 'when not on a terminal'})])
def cmd_upload(args, client):
    size = os.path.getsize(args.file)
    if args.segment_size < 0:
        raise CLIError('--segment-size must not be negative')
    client.call('PUT', args.container)
    name = args.object or os.path.basename(args.file)
    progress = cli_mod.ProgressBar(size, name, force=args.progress)
    with open(args.file, 'rb') as handle:
        if args.segment_size and size > args.segment_size:
            seg_container = args.container + '_segments'
            client.call('PUT', seg_container)
            manifest, index = [], 0
            while handle.tell() < size:
                length = min(args.segment_size, size - handle.tell())
                seg = '%s/%d/%d/%08d' % (name, size, args.segment_size, index)
                resp = client.call('PUT', seg_container, seg,
                                   data=_Body(handle, progress, length))
                manifest.append({'path': '/%s/%s' % (seg_container, seg),
                                 'etag': _etag(resp), 'size_bytes': length})
                index += 1
            resp = client.call('PUT', args.container, name,
                               params={'multipart-manifest': 'put'},
                               data=json.dumps(manifest))
        else:
            resp = client.call('PUT', args.container, name,
                               data=_Body(handle, progress, size))
    progress.finish()
    return cli_mod.Table(['Object', 'Bytes', 'ETag'], [[name, size, _etag(resp)]])


@CLI.command('download', 'Download an object (its MD5 is checked against the ETag).',
             [(('container',), {}), (('object',), {}), (('-o', '--output'), {}),
              (('--progress',), {'action': 'store_true', 'help': 'show a progress bar even '
                                                                 'when not on a terminal'})])
def cmd_download(args, client):
    resp = client.call('GET', args.container, args.object, stream=True)
    target = args.output or args.object
    if os.path.dirname(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
    total = int(resp.headers.get('Content-Length') or 0)
    progress = cli_mod.ProgressBar(total, args.object, force=args.progress)
    md5 = hashlib.md5()
    done = 0
    with open(target, 'wb') as handle:
        for chunk in resp.iter_content(CHUNK):
            md5.update(chunk)
            handle.write(chunk)
            done += len(chunk)
            progress.update(len(chunk))
    progress.finish()
    if total and done != total:
        raise CLIError('%s: got %d of %d bytes' % (target, done, total))
    etag = _etag(resp)
    if 'X-Static-Large-Object' not in resp.headers and 'X-Object-Manifest' not in resp.headers \
            and etag and etag != md5.hexdigest():
        raise CLIError('%s: MD5 %s does not match ETag %s' % (target, md5.hexdigest(), etag))
    return cli_mod.Table(['Object', 'File', 'Bytes', 'MD5'],
                         [[args.object, target, done, md5.hexdigest()]])


@CLI.command('delete', 'Delete a container or an object (a large object with its '
             'segments).', [(('container',), {}), (('object',), {'nargs': '?'})])
def cmd_delete(args, client):
    params = {}
    if args.object:
        head = client.call('HEAD', args.container, args.object)
        if 'X-Static-Large-Object' in head.headers:
            params['multipart-manifest'] = 'delete'
    client.call('DELETE', args.container, args.object, params=params)


def _meta_headers(kind, items):
    headers = {}
    for item in items or []:
        key, sep, value = item.partition(':')
        if not sep or not key.strip():
            raise CLIError('metadata %r is not key:value' % item)
        headers['X-%s-Meta-%s' % (kind, key.strip())] = value.strip()
    return headers


@CLI.command('post', 'Set metadata (of the account, a container or an object) or container '
             'ACLs.', [(('container',), {'nargs': '?'}), (('object',), {'nargs': '?'}),
                       (('-m', '--meta'), {'action': 'append', 'help': 'key:value '
                                                                        '(repeatable)'}),
                       (('--read-acl',), {}), (('--write-acl',), {})])
def cmd_post(args, client):
    kind = 'Object' if args.object else 'Container' if args.container else 'Account'
    headers = _meta_headers(kind, args.meta)
    if (args.read_acl is not None or args.write_acl is not None) and kind != 'Container':
        raise CLIError('--read-acl and --write-acl apply to a container')
    if args.read_acl is not None:
        headers['X-Container-Read'] = args.read_acl
    if args.write_acl is not None:
        headers['X-Container-Write'] = args.write_acl
    client.call('POST', args.container, args.object, headers=headers)


@CLI.command('copy', 'Server-side copy of an object.',
             [(('container',), {}), (('object',), {}),
              (('destination',), {'help': '<container>/<object>'})])
def cmd_copy(args, client):
    dest = args.destination.lstrip('/')
    if '/' not in dest:
        raise CLIError('destination must be <container>/<object>')
    client.call('COPY', args.container, args.object,
                headers={'Destination': urllib.parse.quote('/' + dest)})


def build_parser():
    return CLI.parser


def main(argv=None):
    return CLI.run(argv)


if __name__ == '__main__':
    sys.exit(main())
