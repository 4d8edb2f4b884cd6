"""Upload and download throughput of the image API, per store.

    python benchmarks/image.py --endpoint http://127.0.0.1:9292 --token $TOKEN --size-mib 1024

Creates one image per store, streams ``--size-mib`` of generated data up and back down,
prints MiB/s for each direction, and deletes the images.  ``--store`` limits the stores
(default: every store /v2/info/stores lists).
"""
import argparse
import json
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
                'upload_mib_s': round(size_mib / upload, 1),
                'download_mib_s': round(size_mib / download, 1)}
    finally:
        session.delete('%s/v2/images/%s' % (endpoint, image_id), timeout=60)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--endpoint', required=True, help='image API URL (no /v2)')
    parser.add_argument('--token', required=True, help='a token for the image API')
    parser.add_argument('--size-mib', type=int, default=1024, help='image size (default 1024)')
    parser.add_argument('--store', action='append', help='store to measure (repeatable)')
    args = parser.parse_args(argv)
    session = requests.Session()
    session.headers['X-Auth-Token'] = args.token
    endpoint = args.endpoint.rstrip('/')
    stores = args.store or [s['id'] for s in session.get(
        endpoint + '/v2/info/stores', timeout=30).json()['stores']]
    for store in stores:
        print(json.dumps(run_store(session, endpoint, store, args.size_mib)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
