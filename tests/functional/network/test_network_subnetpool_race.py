"""Subnet pools under concurrency on every database backend: 20 clients on two network-api
daemons allocating from one pool never get the same prefix (the pool's compare-and-set
claim makes a loser's transaction run again)."""
import concurrent.futures
import ipaddress
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from network_api_helpers import DATABASES, http  # noqa: E402

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize('backend', ['sqlite', 'mariadb', 'postgresql'])
def test_concurrent_subnets_from_one_pool_get_distinct_prefixes(backend, tmp_path,
                                                                token_source, start_daemon):
    dbgen = DATABASES[backend](tmp_path)
    db_url = next(dbgen)
    try:
        first = start_daemon(db_url)
        second = start_daemon(db_url)
        token = token_source.admin()
        api = http(token)
        api.put(first.url + '/v2.0/quotas/admin', json={'quota': {'subnet': -1,
                                                                   'network': -1}})
        resp = api.post(first.url + '/v2.0/subnetpools', json={'subnetpool': {
            'name': 'race', 'prefixes': ['10.128.0.0/16'], 'default_prefixlen': 24}})
        assert resp.status_code == 201, resp.text
        pool_id = resp.json()['subnetpool']['id']

        def client(index):
            sess = http(token)
            base = (first if index % 2 else second).url
            net = sess.post(base + '/v2.0/networks', json={'network': {
                'name': 'n%d' % index}}, timeout=60).json()['network']
            cidrs = []
            for _ in range(5):
                r = sess.post(base + '/v2.0/subnets', json={'subnet': {
                    'network_id': net['id'], 'subnetpool_id': pool_id}}, timeout=60)
                assert r.status_code == 201, r.text
                cidrs.append(r.json()['subnet']['cidr'])
            return cidrs

        with concurrent.futures.ThreadPoolExecutor(20) as executor:
            cidrs = [c for chunk in executor.map(client, range(20)) for c in chunk]
        assert len(cidrs) == 100 and len(set(cidrs)) == 100
        nets = [ipaddress.ip_network(c) for c in cidrs]
        assert all(n.prefixlen == 24 and n.subnet_of(ipaddress.ip_network('10.128.0.0/16'))
                   for n in nets)
        # first free first: the 100 allocations fill 10.128.0-99 without a gap
        assert sorted(int(n.network_address) for n in nets) == [
            int(ipaddress.ip_address('10.128.0.0')) + 256 * i for i in range(100)]
    finally:
        try:
            next(dbgen)
        except StopIteration:
            pass
