"""Port throughput of network-api: create and list ports/s with 1 and 20 clients.

    .venv/bin/python benchmarks/network.py --url http://127.0.0.1:9696 --token $TOKEN \
        [--ports 200] [--clients 1,20]

Creates a network with a /20 subnet, measures, then deletes everything it made.
"""
import argparse
import concurrent.futures
import json
import sys
import time

import requests


def _session(token):
    sess = requests.Session()
    sess.headers.update({'X-Auth-Token': token, 'Content-Type': 'application/json'})
    return sess


def _check(resp, code):
    if resp.status_code != code:
        raise SystemExit('unexpected %s from %s: %s' % (resp.status_code, resp.url, resp.text))
    return resp.json() if resp.content else None


def run(url, token, ports, clients_list):
    api = _session(token)
    net = _check(api.post(url + '/v2.0/networks', json={'network': {'name': 'bench'}}), 201)
    net_id = net['network']['id']
    results = {}
    try:
        _check(api.post(url + '/v2.0/subnets', json={'subnet': {
            'network_id': net_id, 'cidr': '10.128.0.0/20', 'ip_version': 4}}), 201)
        for clients in clients_list:
            per_client = max(1, ports // clients)

            def create(_index):
                sess = _session(token)
                ids = []
                for _ in range(per_client):
                    body = _check(sess.post(url + '/v2.0/ports',
                                            json={'port': {'network_id': net_id}}), 201)
                    ids.append(body['port']['id'])
                return ids

            def listing(_index):
                sess = _session(token)
                for _ in range(max(1, per_client // 10)):
                    _check(sess.get(url + '/v2.0/ports', params={'network_id': net_id,
                                                                 'limit': 100}), 200)
                return max(1, per_client // 10)

            started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                created = [i for ids in pool.map(create, range(clients)) for i in ids]
            create_rate = len(created) / (time.monotonic() - started)
            started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                calls = sum(pool.map(listing, range(clients)))
            list_rate = calls * 100 / (time.monotonic() - started)
            with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                list(pool.map(lambda pid: api.delete(url + '/v2.0/ports/' + pid), created))
            results[clients] = {'create_ports_per_s': round(create_rate, 1),
                                'list_ports_per_s (pages of 100)': round(list_rate, 1),
                                'ports': len(created)}
    finally:
        for port in api.get(url + '/v2.0/ports', params={'network_id': net_id}).json().get(
                'ports', []):
            api.delete(url + '/v2.0/ports/' + port['id'])
        api.delete(url + '/v2.0/networks/' + net_id)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--url', default='http://127.0.0.1:9696')
    parser.add_argument('--token', required=True, help='a token (admin avoids port quotas)')
    parser.add_argument('--ports', type=int, default=200, help='ports created per run')
    parser.add_argument('--clients', default='1,20', help='comma-separated client counts')
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(',') if c.strip()]
    json.dump(run(args.url.rstrip('/'), args.token, args.ports, clients), sys.stdout, indent=2)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
