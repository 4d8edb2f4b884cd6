"""Server-side time of the dashboard's main pages on a running cloud, with many ports and
objects in the project: the dashboard's paste pipeline runs in this process (so the figure
is the dashboard's work plus the API calls it makes, without a browser), logged in as the
openrc's demo user.

    .venv/bin/python benchmarks/dashboard.py --openrc state/openrc [--ports 1000]
        [--objects 1000] [--runs 5]

Creates a network with --ports ports and a container with --objects objects, measures each
page --runs times (median and worst, in ms), then deletes everything it made. Servers are
the project's own (booting a thousand guests is another benchmark: benchmarks/compute.py).
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import tempfile
import time
import sys
import uuid

# Run as a script, this file's folder comes first on sys.path, and this file would hide
# the dashboard package of the same name.
sys.path[:] = [p for p in sys.path
               if os.path.abspath(p or '.') != os.path.dirname(os.path.abspath(__file__))]

from common.testing.dashboard_browser import Cloud, InProcessClient  # noqa: E402
from dashboard import app as app_mod  # noqa: E402
from dashboard.conf import CONF  # noqa: E402


def in_process(auth_url):
    CONF.set_override('state_path', tempfile.mkdtemp())
    CONF.set_override('auth_url', auth_url, 'dashboard')
    return InProcessClient(app_mod.Dashboard(CONF))


def populate(cloud, ports, objects, run_id):
    net = cloud.client('network')
    network = net.post('/v2.0/networks', {'network': {'name': 'bench-' + run_id}}).json()[
        'network']
    cloud.track('network', network['id'])
    net.post('/v2.0/subnets', {'subnet': {'network_id': network['id'], 'ip_version': 4,
                                          'cidr': '10.200.0.0/20', 'enable_dhcp': False}})
    store = cloud.client('object')
    container = 'bench-' + run_id
    store.put('/' + container)
    cloud.track('container', container)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: net.post('/v2.0/ports', {'port': {
            'network_id': network['id'], 'name': 'p%d' % i}}), range(ports)))
        list(pool.map(lambda i: store.put('/%s/obj-%05d' % (container, i), data=b'x' * 64),
                      range(objects)))
    return network['id'], container


def measure(dash, path, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        resp = dash.request(path)
        times.append((time.perf_counter() - started) * 1000)
        if resp.status_int != 200:
            raise SystemExit('%s answered %s' % (path, resp.status))
    return {'median_ms': round(statistics.median(times), 1), 'max_ms': round(max(times), 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--openrc', required=True)
    parser.add_argument('--ports', type=int, default=1000)
    parser.add_argument('--objects', type=int, default=1000)
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    cloud = Cloud(args.openrc)
    run_id = uuid.uuid4().hex[:6]
    try:
        started = time.monotonic()
        network_id, container = populate(cloud, args.ports, args.objects, run_id)
        populate_s = time.monotonic() - started
        dash = in_process(cloud.auth_url)
        if dash.login('demo', cloud.password('demo')).status_int != 303:
            raise SystemExit('login as demo failed')
        pages = ['/project/overview', '/project/servers', '/project/networks',
                 '/project/networks/%s' % network_id, '/project/floating_ips',
                 '/project/security_groups', '/project/images', '/project/volumes',
                 '/project/containers', '/project/containers/%s' % container]
        results = {page: measure(dash, page, args.runs) for page in pages}
        print(json.dumps({'ports': args.ports, 'objects': args.objects,
                          'populate_s': round(populate_s, 1), 'pages': results}, indent=1))
    finally:
        net = cloud.client('network')
        for kind, ident in cloud.tracked:
            if kind == 'network':
                for port in net.get('/v2.0/ports?network_id=%s' % ident).json()['ports']:
                    net.delete('/v2.0/ports/%s' % port['id'], raise_exc=False)
        cloud.cleanup()


if __name__ == '__main__':
    main()
