"""Upload and download throughput of the image API, per store.

    source openrc demo; python benchmarks/image.py --size-mib 1024
    python benchmarks/image.py --endpoint http://127.0.0.1:9292 --token $TOKEN --size-mib 1024

With OS_* variables it authenticates with the password and finds the image endpoint in the
catalog; ``--token`` (with ``--endpoint``) skips both.

Creates one image per store, streams ``--size-mib`` of generated data up and back down,
prints MiB/s for each direction, and deletes the images.  ``--store`` limits the stores
(default: every store /v2/info/stores lists).
"""
import argparse
import json
import os
import sys
import time

import requests

MiB = 1024 * 1024


def _data(size_mib):
    block = bytes(range(256)) * 4096
    for _ in range(size_mib):
        yield block


def run_store(session, endpoint, store, size_mib):
    img = session.post(endpoint + '/v2/images', json={
        'name': 'bench-%s' % store, 'disk_format': 'raw', 'container_format': 'bare'},
        timeout=60)
    img.raise_for_status()
    image_id = img.json()['id']
    try:
        started = time.monotonic()
        resp = session.put('%s/v2/images/%s/file' % (endpoint, image_id), data=_data(size_mib),
                           headers={'Content-Type': 'application/octet-stream',
                                    'X-Image-Meta-Store': store}, timeout=3600)
        resp.raise_for_status()
        upload = time.monotonic() - started
        started, total = time.monotonic(), 0
        with session.get('%s/v2/images/%s/file' % (endpoint, image_id), stream=True,
                         timeout=3600) as resp:
            resp.raise_for_status()
            for chunk in resp.iter_content(MiB):
                total += len(chunk)
        download = time.monotonic() - started
        if total != size_mib * MiB:
            raise RuntimeError('downloaded %d bytes, expected %d' % (total, size_mib * MiB))
        return {'store': store, 'size_mib': size_mib,
                'upload_s': round(upload, 1), 'upload_mib_s': round(size_mib / upload, 1),
                'download_s': round(download, 1),
                'download_mib_s': round(size_mib / download, 1)}
    finally:
        session.delete('%s/v2/images/%s' % (endpoint, image_id), timeout=60)


def password_auth():
    """(token, image endpoint) of a password authentication with the OS_* variables."""
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3
    env = os.environ
    auth = v3.Password(auth_url=env['OS_AUTH_URL'], username=env['OS_USERNAME'],
                       password=env['OS_PASSWORD'], project_name=env['OS_PROJECT_NAME'],
                       user_domain_name=env.get('OS_USER_DOMAIN_NAME', 'Default'),
                       project_domain_name=env.get('OS_PROJECT_DOMAIN_NAME', 'Default'))
    sess = ks_session.Session(auth=auth)
    endpoint = sess.get_endpoint(service_type='image',
                                 interface=env.get('OS_INTERFACE', 'public'),
                                 region_name=env.get('OS_REGION_NAME'))
    return sess.get_token(), endpoint


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--endpoint', help='image API URL (no /v2; default: the catalog\'s)')
    parser.add_argument('--token', help='a token for the image API (default: a password '
                                        'authentication with the OS_* variables)')
    parser.add_argument('--size-mib', type=int, default=1024, help='image size (default 1024)')
    parser.add_argument('--store', action='append', help='store to measure (repeatable)')
    args = parser.parse_args(argv)
    token, endpoint = args.token, args.endpoint
    if not token or not endpoint:
        token, catalog_endpoint = password_auth()
        endpoint = endpoint or catalog_endpoint
    session = requests.Session()
    session.headers['X-Auth-Token'] = token
    endpoint = endpoint.rstrip('/')
    stores = args.store or [s['id'] for s in session.get(
        endpoint + '/v2/info/stores', timeout=30).json()['stores']]
    for store in stores:
        print(json.dumps(run_store(session, endpoint, store, args.size_mib)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
