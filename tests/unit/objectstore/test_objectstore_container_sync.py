"""Container sync realms, sync signatures and the sync daemon's choices (which rows,
which destinations) without any server."""
import collections
import os

import pytest

from common import config
from objectstore import conf as objectstore_conf
from objectstore.container import broker as container_broker
from objectstore.container import sync
from objectstore.container import sync_realms
from objectstore.ring import utils as ring_utils


@pytest.fixture(autouse=True)
def secret():
    ring_utils.set_hash_path_secret('p', 's')


@pytest.fixture
def realms_file(tmp_path):
    path = tmp_path / 'realms.conf'
    path.write_text('[Realm1]\nkey = k1\nkey2 = k2\ncluster_Local = http://127.0.0.9:8080/v1\n'
                    'cluster_far = https://objects.example.com/v1/\n\n'
                    '[empty]\nkey = k3\n')
    return str(path)


def test_realms_file(realms_file):
    realms = sync_realms.Realms(realms_file)
    assert realms.endpoint('REALM1', 'local') == 'http://127.0.0.9:8080/v1/'
    assert realms.endpoint('realm1', 'nowhere') is None
    assert realms.endpoint('other', 'local') is None
    assert realms.keys('realm1') == ['k1', 'k2'] and realms.keys('other') == []
    # /info shows names only, never keys or endpoints
    assert realms.as_info() == {'REALM1': {'clusters': {'LOCAL': {}, 'FAR': {}}}}


@pytest.mark.parametrize('text', ['[r]\ncluster_a = http://h/v1/\n',
                                  '[r]\nkey = k\ncluster_a = file:///etc/passwd\n',
                                  '[r]\nkey = k\ncluster_a = gopher://h/\n',
                                  'not an ini'])
def test_bad_realms_files_are_refused(tmp_path, text):
    path = tmp_path / 'bad.conf'
    path.write_text(text)
    with pytest.raises(sync_realms.RealmsError):
        sync_realms.Realms(str(path))


def test_sync_to_form():
    assert sync_realms.parse_sync_to('//r/c/AUTH_a/cont') == ('r', 'c', 'AUTH_a', 'cont')
    for bad in ('http://h/v1/AUTH_a/c', '//r/c/AUTH_a', '//r/c/AUTH_a/c/x', '//r//a/c',
                '', None, '//r/c/a/c\n'):
        assert sync_realms.parse_sync_to(bad) is None


def test_signature_binds_everything(realms_file):
    realms = sync_realms.Realms(realms_file)
    args = ('PUT', '/v1/AUTH_a/c/o', '1700000000.00000', 'etag', 'sync-key')
    auth = sync_realms.auth_header('realm1', 'k1', *args)
    assert sync_realms.verify(realms, auth, *args)
    assert sync_realms.verify(realms, sync_realms.auth_header('realm1', 'k2', *args), *args)
    for index in range(len(args)):
        changed = list(args)
        changed[index] += 'x'
        assert not sync_realms.verify(realms, auth, *changed), index
    assert not sync_realms.verify(realms, sync_realms.auth_header('realm1', 'k3', *args),
                                  *args)
    assert not sync_realms.verify(realms, auth.replace('realm1', 'empty'), *args)
    assert not sync_realms.verify(realms, auth, *args[:4], '')
    assert not sync_realms.verify(realms, 'garbage', *args)


def test_sync_points_are_per_destination(tmp_path):
    path = os.path.join(str(tmp_path), 'sda', 'containers', '1', 'abc', 'h', 'h.db')
    broker = container_broker.ContainerBroker(path, 'AUTH_a', 'c')
    broker.initialize('0000000001.00000')
    assert broker.get_sync_point('//r/c/AUTH_b/d') == -1
    broker.set_sync_point('//r/c/AUTH_b/d', 7)
    assert broker.get_sync_point('//r/c/AUTH_b/d') == 7
    broker.set_sync_point('//r/c/AUTH_b/e', 2)  # pointed elsewhere: starts again
    assert broker.get_sync_point('//r/c/AUTH_b/d') == -1
    assert broker.get_sync_point('//r/c/AUTH_b/e') == 2


class _Ring:
    """TEST FAKE of a ring: every partition on one device, three replicas."""
    replica_count = 3

    def get_part_nodes(self, part):
        return [{'id': i, 'index': i, 'ip': '127.0.0.1', 'port': 1, 'device': 'sda'}
                for i in range(3)]


def _daemon(realms_file, tmp_path):
    conf = config.ConfigOpts()
    objectstore_conf.register(conf)
    conf.set_override('devices', str(tmp_path), group='storage')
    return sync.ContainerSync(conf, sync_realms.Realms(realms_file))


def _container(tmp_path, sync_to, names):
    path = os.path.join(str(tmp_path), 'sda', 'containers', '5', 'abc', 'h', 'h.db')
    broker = container_broker.ContainerBroker(path, 'AUTH_a', 'c')
    broker.initialize('0000000001.00000')
    broker.update_metadata({'X-Container-Sync-To': (sync_to, '0000000001.00000'),
                            'X-Container-Sync-Key': ('key', '0000000001.00000')})
    for i, name in enumerate(names):
        broker.put_object(name, '00000000%02d.00000' % (i + 2), 1, 'text/plain', 'e')
    return path, broker


def test_unknown_destinations_get_no_request(realms_file, tmp_path, monkeypatch):
    daemon = _daemon(realms_file, tmp_path)
    sent = []
    monkeypatch.setattr(daemon, 'sync_row', lambda *args: sent.append(args))
    for sync_to in ('//realm1/elsewhere/AUTH_b/d', '//nope/local/AUTH_b/d',
                    'http://198.51.100.1/v1/AUTH_b/d'):
        path, _broker = _container(tmp_path, sync_to, ['o'])
        stats = collections.Counter()
        daemon.sync_container(_Ring(), None, {'id': 0}, path, stats)
        assert stats['unknown_realm'] == 1 and not sent
        os.unlink(path)


def test_each_replica_sends_its_share_and_resumes_after_failure(realms_file, tmp_path,
                                                                monkeypatch):
    daemon = _daemon(realms_file, tmp_path)
    names = ['o%d' % i for i in range(30)]
    shares = {}
    for index in range(3):  # three replicas of the container, one database each
        path, _broker = _container(tmp_path / str(index), '//realm1/local/AUTH_b/d', names)
        sent = []
        monkeypatch.setattr(daemon, 'sync_row',
                            lambda ring, info, row, dest: sent.append((row['name'], dest)))
        daemon.sync_container(_Ring(), None, {'id': index}, path, collections.Counter())
        shares[index] = [n for n, _d in sent]
        assert all(d['endpoint'] == 'http://127.0.0.9:8080/v1/' and d['account'] == 'AUTH_b'
                   for _n, d in sent)
    assert sorted(sum(shares.values(), [])) == sorted(names)  # each row once
    # every replica keeps its own point; a failing row is tried again next pass
    path2, _broker2 = _container(tmp_path / 'other', '//realm1/local/AUTH_b/d', names)
    calls = []

    def flaky(ring, info, row, dest):
        calls.append(row['name'])
        if len(calls) == 3:
            raise sync.RowError('down')
    monkeypatch.setattr(daemon, 'sync_row', flaky)
    stats = collections.Counter()
    daemon.sync_container(_Ring(), None, {'id': 0}, path2, stats)
    assert stats['row_failures'] == 1 and stats['rows_synced'] == 2
    first = list(calls)
    calls.clear()
    daemon.sync_container(_Ring(), None, {'id': 0}, path2, collections.Counter())
    assert calls[0] == first[2] and set(first[:2]).isdisjoint(calls)


def test_sync_settings_only_of_live_containers_that_sync(tmp_path):
    path, broker = _container(tmp_path, '//realm1/local/AUTH_b/d', [])
    assert broker.sync_settings() == ('//realm1/local/AUTH_b/d', 'key')
    broker.update_metadata({'X-Container-Sync-Key': ('', '0000000002.00000')})
    assert broker.sync_settings() is None
    broker.update_metadata({'X-Container-Sync-Key': ('k2', '0000000003.00000')})
    broker.mark_deleted('0000000004.00000')
    assert broker.sync_settings() is None
    plain = container_broker.ContainerBroker(os.path.join(
        str(tmp_path), 'sdb', 'containers', '1', 'abc', 'h', 'h.db'), 'AUTH_a', 'p')
    plain.initialize('0000000001.00000')
    assert plain.sync_settings() is None
