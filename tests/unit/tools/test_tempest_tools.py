"""The pieces of tools/tempest.sh that decide outcomes: the log check that fails a run on a
500 or a traceback, and the config writer's refusal of non-local endpoints."""
import importlib.util
import json
import os

import pytest

TOOLS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'tools', 'tempest')


def _load(name):
    spec = importlib.util.spec_from_file_location('tempest_tool_' + name,
                                                  os.path.join(TOOLS, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_logs = _load('check_logs')
make_conf = _load('make_conf')

OLD = ('2026-01-01 10:00:00,000 1 INFO access req-0 user=- project=- "POST /v3/users" '
       'status=500 time=0.002\n')
NEW = '''2026-01-01 10:00:01,000 1 INFO access req-1 user=- project=- "GET /v3" status=200 time=0.001
2026-01-01 10:00:02,000 1 ERROR common.wsgi.faults unexpected error in request POST /v3/groups
Traceback (most recent call last):
  File "/a.py", line 1, in f
  File "/b.py", line 2, in g
  File "/c.py", line 3, in h
  File "/d.py", line 4, in create
TypeError: create_group() got an unexpected keyword argument 'project_id'
2026-01-01 10:00:02,001 1 INFO access req-2 user=u project=p "POST /v3/groups" status=500 time=0.003
2026-01-01 10:00:03,000 1 INFO access req-3 user=u project=p "GET /v3/status=500" status=404 time=0.001
'''


def test_log_check_reports_only_what_was_logged_after_the_mark(tmp_path, capsys):
    log = tmp_path / 'identity-api.log'
    log.write_text(OLD)
    marks_file = tmp_path / 'marks.json'
    assert check_logs.main(['x', 'mark', str(tmp_path), str(marks_file)]) == 0
    assert check_logs.main(['x', 'check', str(tmp_path), str(marks_file)]) == 0
    with open(log, 'a') as f:
        f.write(NEW)
    problems = check_logs.find_problems(str(tmp_path), json.loads(marks_file.read_text()))
    assert [p[0] for p in problems] == ['identity-api.log'] * 2
    traceback, access = problems[0][1], problems[1][1]
    assert 'POST /v3/groups' in traceback.splitlines()[0]
    assert traceback.splitlines()[-1].startswith('TypeError: create_group()')
    assert 'req-2' in access
    capsys.readouterr()
    assert check_logs.main(['x', 'check', str(tmp_path), str(marks_file)]) == 1
    assert '2 request(s) answered 500' in capsys.readouterr().out


def test_log_check_reads_a_truncated_log_whole(tmp_path):
    log = tmp_path / 'proxy.log'
    log.write_text(OLD * 5)
    marks = check_logs.mark(str(tmp_path))
    log.write_text(OLD)  # restarted with a fresh log
    assert len(check_logs.find_problems(str(tmp_path), marks)) == 1
    # A log that appeared after the mark is read from its start.
    (tmp_path / 'new.log').write_text(OLD)
    assert len(check_logs.find_problems(str(tmp_path), marks)) == 2


TOKEN = {'catalog': [
    {'type': 'identity', 'endpoints': [
        {'interface': 'public', 'region_id': 'RegionOne', 'url': 'http://127.0.0.1:5000'},
        {'interface': 'admin', 'region_id': 'RegionOne', 'url': 'http://localhost:5000'}]},
    {'type': 'image', 'endpoints': [
        {'interface': 'public', 'region_id': 'RegionOne', 'url': 'http://127.0.0.1:9292'},
        {'interface': 'public', 'region_id': 'Other', 'url': 'http://127.0.0.2:9292'}]}]}


def test_catalog_endpoints_by_region_and_interface():
    assert make_conf.catalog_endpoints(TOKEN, 'RegionOne') == {
        'identity': 'http://127.0.0.1:5000', 'image': 'http://127.0.0.1:9292'}
    assert make_conf.catalog_endpoints(TOKEN, 'Other') == {'image': 'http://127.0.0.2:9292'}


def test_config_refuses_a_catalog_with_remote_endpoints(monkeypatch):
    monkeypatch.delenv('HOST_IP', raising=False)
    make_conf.check_local(TOKEN)
    remote = {'catalog': TOKEN['catalog'] + [{'type': 'network', 'endpoints': [
        {'interface': 'public', 'region_id': 'RegionOne', 'url': 'http://192.0.2.10:9696'}]}]}
    with pytest.raises(make_conf.CloudError, match='192.0.2.10'):
        make_conf.check_local(remote)
    monkeypatch.setenv('HOST_IP', '192.0.2.10')
    make_conf.check_local(remote)


def test_object_storage_features_come_from_info(monkeypatch):
    info = {'swift': {'version': '2.34.0'}, 'tempurl': {'allowed_digests': ['sha1', 'sha256']},
            'versioned_writes': {}, 'formpost': {},
            'container_sync': {'realms': {'DEVSTACK': {'clusters': {'LOCAL': {}}}}}}
    seen = []

    def fake_get(url, token):
        seen.append(url)
        return info
    monkeypatch.setattr(make_conf, '_get', fake_get)
    found = make_conf.object_storage_features('http://127.0.0.3:8080/v1/AUTH_x', 'tok')
    assert seen == ['http://127.0.0.3:8080/info']
    assert found['discoverable_apis'] == ['container_sync', 'formpost', 'tempurl',
                                          'versioned_writes']
    assert (found['sync_realm'], found['sync_cluster']) == ('DEVSTACK', 'LOCAL')
    # old-style sync (to any URL) is refused by this cloud's design: its test stays off
    assert found['container_sync'] is False
    assert found['tempurl_digest'] == 'sha256' and found['object_versioning']
    info.pop('container_sync')
    assert make_conf.object_storage_features('http://h:8080/v1/AUTH_x', 't')['sync_realm'] \
        is None
