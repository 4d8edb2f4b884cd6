"""Compute timings on a running cloud: boot to ACTIVE and to a booted guest, platform time
above the guest's own boot, delete time, memory per idle guest, API list/show rates.

    source openrc demo
    .venv/bin/python benchmarks/compute.py [--servers 1,10] [--image guest]
        [--flavor m1.nano] [--network private] [--api-clients 1,10] [--api-requests 200]

A guest is "booted" when its console prints the guest image's ``boot complete`` line; that
line carries the guest's own uptime, so wall time minus uptime is what the platform adds
(API, scheduling, image, ports, libvirt, the wait for network-vif-plugged). Every server
it makes is deleted at the end.
"""
import argparse
import concurrent.futures
import re
import statistics
import subprocess
import time

import openstack

BOOTED = re.compile(r'boot complete .*uptime=([0-9.]+)s')


def _wait(conn, server_id, want, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = conn.compute.get_server(server_id)
        if server.status == want:
            return server
        if server.status == 'ERROR':
            raise SystemExit('server %s went ERROR: %s' % (server_id, server.fault))
        time.sleep(0.25)
    raise SystemExit('server %s not %s after %ss' % (server_id, want, timeout))


def _wait_booted(conn, server_id, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = BOOTED.search(conn.compute.get_server_console_output(server_id)['output'])
        if found:
            return float(found.group(1))
        time.sleep(0.5)
    raise SystemExit('server %s never printed its boot line' % server_id)


def _qemu_rss_mib(server_id):
    out = subprocess.run(['ps', '-eo', 'rss=,args='], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if 'qemu' in line and server_id in line:
            return int(line.split(None, 1)[0]) / 1024.0
    return None


def boot_batch(conn, count, image, flavor, network):
    """Boot ``count`` servers at once; (ACTIVE seconds, booted seconds, guest uptimes,
    delete seconds, idle RSS MiB) per server."""
    started = time.monotonic()

    def one(index):
        t0 = time.monotonic()
        server = conn.compute.create_server(
            name='bench-%d-%d' % (count, index), image_id=image.id, flavor_id=flavor.id,
            networks=[{'uuid': network.id}])
        _wait(conn, server.id, 'ACTIVE')
        active = time.monotonic() - t0
        uptime = _wait_booted(conn, server.id)
        return server.id, active, time.monotonic() - t0, uptime

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        results = list(pool.map(one, range(count)))
    time.sleep(5)   # idle a moment before measuring memory
    rss = [_qemu_rss_mib(r[0]) for r in results]

    def delete(server_id):
        t0 = time.monotonic()
        conn.compute.delete_server(server_id)
        conn.compute.wait_for_delete(conn.compute.get_server(server_id), wait=300)
        return time.monotonic() - t0
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        deletes = list(pool.map(delete, [r[0] for r in results]))
    return {'count': count, 'wall': time.monotonic() - started,
            'active': [r[1] for r in results], 'booted': [r[2] for r in results],
            'overhead': [r[2] - r[3] for r in results], 'delete': deletes,
            'rss': [r for r in rss if r is not None]}


def api_rates(conn, clients, requests_total, server_id):
    """(list/s, show/s) with ``clients`` threads sharing ``requests_total`` requests."""
    per = max(1, requests_total // clients)
    rates = []
    for call in (lambda: list(conn.compute.servers()),
                 lambda: conn.compute.get_server(server_id)):
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda _: [call() for _ in range(per)], range(clients)))
        rates.append(per * clients / (time.monotonic() - t0))
    return rates


def _fmt(values):
    if not values:
        return '-'
    return '%.1f (max %.1f)' % (statistics.median(values), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--servers', default='1,10')
    parser.add_argument('--image', default='guest')
    parser.add_argument('--flavor', default='m1.nano')
    parser.add_argument('--network', default='private')
    parser.add_argument('--api-clients', default='1,10')
    parser.add_argument('--api-requests', type=int, default=200)
    args = parser.parse_args()
    conn = openstack.connect()
    image = conn.image.find_image(args.image, ignore_missing=False)
    flavor = conn.compute.find_flavor(args.flavor, ignore_missing=False)
    network = conn.network.find_network(args.network, ignore_missing=False)
    print('| servers at once | to ACTIVE s | to booted guest s | platform time above the '
          'guest\'s boot s | delete s | idle guest RSS MiB |')
    print('| --- | --- | --- | --- | --- | --- |')
    for count in [int(c) for c in args.servers.split(',')]:
        r = boot_batch(conn, count, image, flavor, network)
        print('| %d | %s | %s | %s | %s | %s |' % (
            count, _fmt(r['active']), _fmt(r['booted']), _fmt(r['overhead']),
            _fmt(r['delete']), _fmt(r['rss'])), flush=True)
    server = conn.compute.create_server(name='bench-api', image_id=image.id,
                                        flavor_id=flavor.id, networks=[{'uuid': network.id}])
    try:
        _wait(conn, server.id, 'ACTIVE')
        print('\n| API clients | server list /s | server show /s |')
        print('| --- | --- | --- |')
        for clients in [int(c) for c in args.api_clients.split(',')]:
            listing, show = api_rates(conn, clients, args.api_requests, server.id)
            print('| %d | %.0f | %.0f |' % (clients, listing, show), flush=True)
    finally:
        conn.compute.delete_server(server.id)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
