"""``objectstore``: the object store command-line client (Swift API v1).

Authentication comes from OS_* variables (password or token, keystoneauth1) and the
endpoint from the catalog (service type ``object-store``), or OS_STORAGE_URL + OS_AUTH_TOKEN.
"""
import argparse
import hashlib
import json
import os
import sys
import urllib.parse

import requests

CHUNK = 65536


class CLIError(Exception):
    """A failure to report to the user (exit status 1)."""


# -- authentication ---------------------------------------------------------
def connect(env=None):
    """(storage URL, token) from the environment."""
    env = os.environ if env is None else env
    if env.get('OS_STORAGE_URL') and env.get('OS_AUTH_TOKEN'):
        return env['OS_STORAGE_URL'].rstrip('/'), env['OS_AUTH_TOKEN']
    if not env.get('OS_AUTH_URL'):
        raise CLIError('set OS_AUTH_URL (and OS_USERNAME/OS_PASSWORD or OS_TOKEN), or '
                       'OS_STORAGE_URL and OS_AUTH_TOKEN')
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    common = {'auth_url': env['OS_AUTH_URL'], 'project_id': env.get('OS_PROJECT_ID'),
              'project_name': env.get('OS_PROJECT_NAME'),
              'project_domain_name': env.get('OS_PROJECT_DOMAIN_NAME', 'Default')}
    if env.get('OS_TOKEN'):
        auth = v3.Token(token=env['OS_TOKEN'], **common)
    else:
        auth = v3.Password(username=env.get('OS_USERNAME'), password=env.get('OS_PASSWORD'),
                           user_domain_name=env.get('OS_USER_DOMAIN_NAME', 'Default'),
                           **common)
    sess = session.Session(auth=auth)
    try:
        url = sess.get_endpoint(service_type='object-store',
                                interface=env.get('OS_INTERFACE', 'public'),
                                region_name=env.get('OS_REGION_NAME'))
        token = sess.get_token()
    except Exception as exc:  # keystoneauth raises many kinds; show the message
        raise CLIError('authentication failed: %s' % exc)
    if not url:
        raise CLIError('no object-store endpoint in the catalog')
    return url.rstrip('/'), token


class Client:
    def __init__(self, url, token):
        self.url = url
        self.http = requests.Session()
        self.http.headers['X-Auth-Token'] = token

    def request(self, method, container=None, obj=None, ok=(200, 201, 202, 204), **kw):
        path = ''
        if container:
            path += '/' + urllib.parse.quote(container, safe='')
            if obj:
                path += '/' + urllib.parse.quote(obj, safe='/')
        kw.setdefault('timeout', 300)
        resp = self.http.request(method, self.url + path, **kw)
        if resp.status_code not in ok:
            raise CLIError('%s %s: %s %s' % (method, path or '/', resp.status_code,
                                             resp.text.strip()[:300]))
        return resp


# -- output -------------------------------------------------------------------
def emit(rows, fmt, columns):
    if fmt == 'json':
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        return
    widths = [max(len(c), *(len(str(r.get(c, ''))) for r in rows)) for c in columns]
    line = '+' + '+'.join('-' * (w + 2) for w in widths) + '+'
    print(line)
    print('|' + '|'.join(' %s ' % c.ljust(w) for c, w in zip(columns, widths)) + '|')
    print(line)
    for row in rows:
        print('|' + '|'.join(' %s ' % str(row.get(c, '')).ljust(w)
                             for c, w in zip(columns, widths)) + '|')
    print(line)


class Progress:
    """A progress bar on stderr, only for a terminal or when asked."""

    def __init__(self, label, total, enabled):
        self.label, self.total, self.done = label, total, 0
        self.enabled = enabled

    def update(self, count):
        self.done += count
        if self.enabled:
            pct = 100.0 * self.done / self.total if self.total else 100.0
            bar = '#' * int(pct / 4)
            sys.stderr.write('\r%-30s [%-25s] %5.1f%% %d/%d bytes' % (
                self.label[-30:], bar, pct, self.done, self.total or self.done))
            sys.stderr.flush()

    def finish(self):
        if self.enabled:
            sys.stderr.write('\n')


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


# -- commands -------------------------------------------------------------------
def cmd_stat(client, args):
    resp = client.request('HEAD', args.container, args.object)
    rows = [{'Field': k, 'Value': v} for k, v in sorted(resp.headers.items())
            if k.lower().startswith(('x-account', 'x-container', 'x-object', 'content',
                                     'etag', 'last-modified', 'x-timestamp', 'x-static',
                                     'x-versions', 'x-history'))]
    emit(rows if args.format == 'table' else {r['Field']: r['Value'] for r in rows},
         args.format, ['Field', 'Value'])


def cmd_list(client, args):
    params = {'format': 'json'}
    for key in ('prefix', 'delimiter', 'marker', 'limit'):
        if getattr(args, key):
            params[key] = getattr(args, key)
    rows = client.request('GET', args.container, params=params, ok=(200, 204))
    rows = rows.json() if rows.status_code == 200 else []
    if args.container:
        out = [{'Name': r.get('subdir') or r['name'], 'Bytes': r.get('bytes', ''),
                'Last Modified': r.get('last_modified', ''), 'Hash': r.get('hash', '')}
               for r in rows]
        emit(out, args.format, ['Name', 'Bytes', 'Last Modified', 'Hash'])
    else:
        out = [{'Name': r.get('subdir') or r['name'], 'Count': r.get('count', ''),
                'Bytes': r.get('bytes', '')} for r in rows]
        emit(out, args.format, ['Name', 'Count', 'Bytes'])


def cmd_upload(client, args):
    client.request('PUT', args.container)
    size = os.path.getsize(args.file)
    name = args.object or os.path.basename(args.file)
    show = args.progress or sys.stderr.isatty()
    progress = Progress(name, size, show)
    with open(args.file, 'rb') as handle:
        if args.segment_size and size > args.segment_size:
            seg_container = args.container + '_segments'
            client.request('PUT', seg_container)
            manifest, index = [], 0
            while handle.tell() < size:
                length = min(args.segment_size, size - handle.tell())
                seg = '%s/%d/%08d' % (name, size, index)
                resp = client.request('PUT', seg_container, seg,
                                      data=_Body(handle, progress, length))
                manifest.append({'path': '/%s/%s' % (seg_container, seg),
                                 'etag': resp.headers['ETag'].strip('"'),
                                 'size_bytes': length})
                index += 1
            resp = client.request('PUT', args.container, name,
                                  params={'multipart-manifest': 'put'},
                                  data=json.dumps(manifest))
        else:
            resp = client.request('PUT', args.container, name,
                                  data=_Body(handle, progress, size))
    progress.finish()
    emit([{'Object': name, 'Bytes': size, 'ETag': resp.headers.get('ETag', '').strip('"')}],
         args.format, ['Object', 'Bytes', 'ETag'])


def cmd_download(client, args):
    resp = client.request('GET', args.container, args.object, stream=True)
    target = args.output or args.object
    if os.path.dirname(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
    total = int(resp.headers.get('Content-Length') or 0)
    progress = Progress(args.object, total, args.progress or sys.stderr.isatty())
    md5 = hashlib.md5()
    with open(target, 'wb') as handle:
        for chunk in resp.iter_content(CHUNK):
            md5.update(chunk)
            handle.write(chunk)
            progress.update(len(chunk))
    progress.finish()
    etag = resp.headers.get('ETag', '').strip('"')
    if 'X-Static-Large-Object' not in resp.headers and 'X-Object-Manifest' not in resp.headers \
            and etag and etag != md5.hexdigest():
        raise CLIError('%s: MD5 %s does not match ETag %s' % (target, md5.hexdigest(), etag))
    emit([{'Object': args.object, 'File': target, 'Bytes': progress.done}], args.format,
         ['Object', 'File', 'Bytes'])


def cmd_delete(client, args):
    params = {}
    if args.object:
        head = client.request('HEAD', args.container, args.object)
        if 'X-Static-Large-Object' in head.headers:
            params['multipart-manifest'] = 'delete'
    client.request('DELETE', args.container, args.object, params=params)


def _meta_headers(kind, items):
    headers = {}
    for item in items or []:
        key, sep, value = item.partition(':')
        if not sep:
            raise CLIError('metadata %r is not key:value' % item)
        headers['X-%s-Meta-%s' % (kind, key.strip())] = value.strip()
    return headers


def cmd_post(client, args):
    kind = 'Object' if args.object else 'Container' if args.container else 'Account'
    headers = _meta_headers(kind, args.meta)
    if args.read_acl is not None:
        headers['X-Container-Read'] = args.read_acl
    if args.write_acl is not None:
        headers['X-Container-Write'] = args.write_acl
    client.request('POST', args.container, args.object, headers=headers)


def cmd_copy(client, args):
    dest = args.destination.lstrip('/')
    if '/' not in dest:
        raise CLIError('destination must be <container>/<object>')
    client.request('COPY', args.container, args.object,
                   headers={'Destination': urllib.parse.quote('/' + dest)})


def build_parser():
    parser = argparse.ArgumentParser(prog='objectstore', description=__doc__.split('\n')[0])
    parser.add_argument('-f', '--format', choices=['table', 'json'], default='table')
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('stat', help='show account, container or object headers')
    p.add_argument('container', nargs='?')
    p.add_argument('object', nargs='?')
    p.set_defaults(func=cmd_stat)
    p = sub.add_parser('list', help='list containers or objects')
    p.add_argument('container', nargs='?')
    for opt in ('prefix', 'delimiter', 'marker'):
        p.add_argument('--' + opt)
    p.add_argument('--limit', type=int)
    p.set_defaults(func=cmd_list)
    p = sub.add_parser('upload', help='upload a file (segmented as an SLO when large)')
    p.add_argument('container')
    p.add_argument('file')
    p.add_argument('--object-name', dest='object')
    p.add_argument('--segment-size', type=int, default=0,
                   help='split files larger than this many bytes into segments')
    p.add_argument('--progress', action='store_true')
    p.set_defaults(func=cmd_upload)
    p = sub.add_parser('download', help='download an object')
    p.add_argument('container')
    p.add_argument('object')
    p.add_argument('-o', '--output')
    p.add_argument('--progress', action='store_true')
    p.set_defaults(func=cmd_download)
    p = sub.add_parser('delete', help='delete a container or object')
    p.add_argument('container')
    p.add_argument('object', nargs='?')
    p.set_defaults(func=cmd_delete)
    p = sub.add_parser('post', help='set metadata or ACLs')
    p.add_argument('container', nargs='?')
    p.add_argument('object', nargs='?')
    p.add_argument('-m', '--meta', action='append', help='key:value (repeatable)')
    p.add_argument('--read-acl')
    p.add_argument('--write-acl')
    p.set_defaults(func=cmd_post)
    p = sub.add_parser('copy', help='server-side copy of an object')
    p.add_argument('container')
    p.add_argument('object')
    p.add_argument('destination', help='<container>/<object>')
    p.set_defaults(func=cmd_copy)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        url, token = connect()
        args.func(Client(url, token), args)
    except CLIError as exc:
        sys.stderr.write('objectstore: %s\n' % exc)
        return 1
    except (OSError, requests.RequestException) as exc:
        sys.stderr.write('objectstore: %s\n' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
