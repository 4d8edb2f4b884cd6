"""The `compute` CLI against a stub client: name lookups, create body, wait, tables."""
import base64
import json

from compute import cli


class Resp:
    def __init__(self, data, status=200):
        self.data, self.status_code = data, status

    def json(self):
        return self.data


class Stub:
    session = interface = region_name = None

    def __init__(self):
        self.posted = []
        self.status = 'BUILD'

    def get(self, path, headers=None, params=None, raise_exc=True):
        if path == '/flavors':
            return Resp({'flavors': [{'id': '42', 'name': 'm1.nano'}]})
        if path == '/v2/images':
            return Resp({'images': [{'id': 'img-1', 'name': 'guest'}]})
        if path == '/v2.0/networks':
            return Resp({'networks': [{'id': 'net-1', 'name': 'private'}]})
        if path.startswith('/servers/s-1'):
            server = {'id': 's-1', 'name': 'vm1', 'status': self.status,
                      'OS-EXT-STS:task_state': None}
            self.status = 'ACTIVE'
            return Resp({'server': server})
        if path == '/servers/detail':
            return Resp({'servers': [{'id': 's-1', 'name': 'vm1', 'status': 'ACTIVE',
                                      'addresses': {'private': [{'addr': '10.0.0.5'}]},
                                      'flavor': {'original_name': 'm1.nano'}}]})
        raise AssertionError(path)

    def post(self, path, body, headers=None):
        self.posted.append((path, body))
        return Resp({'server': {'id': 's-1'}})


def test_server_create_looks_up_names_and_waits(monkeypatch, tmp_path, capsys):
    stub = Stub()
    monkeypatch.setattr(cli, '_other', lambda client, kind: stub)
    monkeypatch.setattr(cli.CLI, 'client', lambda args: stub)
    script = tmp_path / 'ud.sh'
    script.write_bytes(b'#!/bin/sh\n')
    assert cli.main(['-f', 'json', 'server', 'create', 'vm1', '--image', 'guest',
                     '--flavor', 'm1.nano', '--network', 'private', '--user-data',
                     str(script), '--wait']) == 0
    path, body = stub.posted[0]
    assert path == '/servers' and body['server']['imageRef'] == 'img-1'
    assert body['server']['flavorRef'] == '42'
    assert body['server']['networks'] == [{'uuid': 'net-1'}]
    assert base64.b64decode(body['server']['user_data']) == b'#!/bin/sh\n'
    assert json.loads(capsys.readouterr().out)['status'] == 'ACTIVE'
    assert cli.main(['-f', 'value', 'server', 'list']) == 0
    assert 'private=10.0.0.5' in capsys.readouterr().out
    assert cli.main(['server', 'create', 'x', '--image', 'nope', '--flavor', '42']) == 1
