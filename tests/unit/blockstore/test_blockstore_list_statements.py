"""Scale: every list API of block storage runs the same number of SQL statements whatever
the number of rows it returns (never one query per row)."""
import pytest

from common.testing import sqlcount

pytestmark = pytest.mark.timeout(300)

SERVER = 'c0ffee00-0000-4000-8000-00000000000%d'
V = '3.44'
CONNECTOR = {'initiator': 'iqn.2024-01.org.cirrostack:node1', 'ip': '192.0.2.10',
             'host': 'node1', 'platform': 'x86_64', 'os_type': 'linux', 'multipath': False}
LISTS = ['/volumes', '/volumes/detail', '/snapshots', '/snapshots/detail', '/types',
         '/attachments', '/backups', '/backups/detail', '/volumes/detail?limit=50',
         '/volumes/detail?status=in-use', '/volumes/detail?metadata={"k":"v"}']


def grow(cloud, admin, start, steps):
    for i in range(start, start + steps):
        vol = cloud.volume(1, name='v%d' % i, metadata={'k': 'v'})
        data = cloud.volume(1, name='d%d' % i)
        att = cloud.ok('POST', '/attachments', {'attachment': {
            'volume_uuid': data['id'], 'instance_uuid': SERVER % (i % 10)}}, status=200,
            version=V)['attachment']
        cloud.ok('PUT', '/attachments/%s' % att['id'], {'attachment': {
            'connector': CONNECTOR}}, version=V)
        cloud.ok('POST', '/attachments/%s/action' % att['id'], {'os-complete': None},
                 status=204, version=V)
        snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id'],
                                                            'name': 's%d' % i}})['snapshot']
        cloud.wait('snapshot', snap['id'], ('available',))
        bak = cloud.ok('POST', '/backups', {'backup': {'volume_id': vol['id']}})['backup']
        cloud.wait('backup', bak['id'], ('available',))
        vtype = cloud.ok('POST', '/types', {'volume_type': {'name': 't%d' % i}},
                         token=admin, status=200)['volume_type']
        cloud.ok('POST', '/types/%s/extra_specs' % vtype['id'],
                 {'extra_specs': {'volume_backend_name': 'b%d' % i}}, token=admin, status=200)


def statements(cloud, admin):
    counts = {}
    for who, token in (('demo', None), ('admin', admin)):
        for path in LISTS:
            counts[(who, path)] = sqlcount.statements_per_request(
                lambda: cloud.ok('GET', path, token=token, version=V))
    for path in ('/volumes/detail?all_tenants=1', '/os-services', '/scheduler-stats/get_pools',
                 '/limits'):
        counts[('admin', path)] = sqlcount.statements_per_request(
            lambda: cloud.ok('GET', path, token=admin, version=V))
    return counts


def test_list_statements_do_not_grow_with_rows(cloud):
    admin = cloud.admin()
    cloud.ok('PUT', '/v3/admin/os-quota-sets/demo', {'quota_set': {
        'volumes': -1, 'snapshots': -1, 'gigabytes': -1, 'backups': -1,
        'backup_gigabytes': -1}}, token=admin)
    grow(cloud, admin, 0, 2)
    small = statements(cloud, admin)
    grow(cloud, admin, 2, 5)
    large = statements(cloud, admin)
    grown = {key: (small[key], large[key]) for key in small if large[key] > small[key]}
    assert not grown, 'statements per list grew with the rows (before, after): %s' % grown
