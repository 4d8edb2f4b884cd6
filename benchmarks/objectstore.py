"""Object store benchmark: PUT/GET requests per second for 4 KiB objects (1 and 20
concurrent clients) and MiB/s for 256 MiB objects.

Target: ``--url <storage URL> --token <token>`` or OS_* variables (as the objectstore CLI).
Usage: python benchmarks/objectstore.py [--url URL --token TOKEN] [--seconds 10]
"""
import argparse
import concurrent.futures
import os
import sys
import time
import uuid

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _session(token):
    sess = requests.Session()
    sess.headers['X-Auth-Token'] = token
    adapter = requests.adapters.HTTPAdapter(pool_connections=32, pool_maxsize=32)
    sess.mount('http://', adapter)
    return sess


def small_objects(url, token, container, clients, count):
    """(PUT req/s, GET req/s) for ``count`` 4 KiB objects over ``clients`` threads."""
    body = os.urandom(4096)
    sess = _session(token)
    names = ['small-%d-%d' % (clients, i) for i in range(count)]

    def put(name):
        r = sess.put('%s/%s/%s' % (url, container, name), data=body, timeout=60)
        assert r.status_code == 201, r.status_code

    def get(name):
        r = sess.get('%s/%s/%s' % (url, container, name), timeout=60)
        assert r.status_code == 200 and len(r.content) == 4096, r.status_code
    rates = []
    for func in (put, get):
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            list(pool.map(func, names))
        rates.append(count / (time.monotonic() - started))
    return rates


def large_object(url, token, container, size):
    sess = _session(token)
    block = os.urandom(1024 * 1024)

    def gen():
        for _ in range(size // len(block)):
            yield block
    started = time.monotonic()
    r = sess.put('%s/%s/large' % (url, container), data=gen(), timeout=3600)
    assert r.status_code == 201, r.status_code
    put_rate = size / (time.monotonic() - started) / 2 ** 20
    started = time.monotonic()
    got = 0
    with sess.get('%s/%s/large' % (url, container), stream=True, timeout=3600) as resp:
        for chunk in resp.iter_content(1024 * 1024):
            got += len(chunk)
    assert got == size
    return put_rate, size / (time.monotonic() - started) / 2 ** 20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--url', help='storage URL (http://host:8080/v1/AUTH_<project>)')
    parser.add_argument('--token')
    parser.add_argument('--count', type=int, default=500, help='4 KiB objects per run')
    parser.add_argument('--large-mib', type=int, default=256)
    args = parser.parse_args(argv)
    if args.url and args.token:
        url, token = args.url.rstrip('/'), args.token
    else:
        from objectstore import cli
        url, token = cli.connect()
    container = 'bench-' + uuid.uuid4().hex[:8]
    sess = _session(token)
    sess.put('%s/%s' % (url, container), timeout=60).raise_for_status()
    rows = []
    try:
        for clients in (1, 20):
            put, get = small_objects(url, token, container, clients, args.count)
            rows.append(('4 KiB PUT, %d client(s)' % clients, '%.0f req/s' % put))
            rows.append(('4 KiB GET, %d client(s)' % clients, '%.0f req/s' % get))
        put, get = large_object(url, token, container, args.large_mib * 2 ** 20)
        rows.append(('%d MiB PUT' % args.large_mib, '%.1f MiB/s' % put))
        rows.append(('%d MiB GET' % args.large_mib, '%.1f MiB/s' % get))
    finally:
        listing = sess.get('%s/%s?format=json' % (url, container), timeout=60)
        for row in (listing.json() if listing.status_code == 200 else []):
            sess.delete('%s/%s/%s' % (url, container, row['name']), timeout=60)
        sess.delete('%s/%s' % (url, container), timeout=60)
    width = max(len(r[0]) for r in rows)
    print('%s  %s' % ('test'.ljust(width), 'result'))
    for name, value in rows:
        print('%s  %s' % (name.ljust(width), value))
    return 0


if __name__ == '__main__':
    sys.exit(main())
