"""Negative tests of the image API, resource by resource (images, properties, tags,
members, data, staging, import, actions), as a member of p-alice would attack p-bob's
images and the service: escalation by update, hostile text, oversize and malformed
bodies. Nothing answers 500; nothing changes that should not."""
import json
import urllib.parse
import uuid

import pytest

PATCH = 'application/openstack-images-v2.1-json-patch'
BAD_TEXT = ['two\nlines', 'esc\x1b]0;title\x07', 'nul\x00', 'del\x7f', 'c1\x9b', 'ls\u2028']


@pytest.fixture
def images(image_env):
    """Alice's client; Bob's private, shared (Alice a member), community and public images
    (the public one made by an admin)."""
    alice, _engine = image_env
    bob = alice.as_('p-bob')
    admin = alice.as_('p-admin', roles=('admin', 'member', 'reader'))
    made = {'private': bob.create(name='b-private', visibility='private'),
            'shared': bob.create(name='b-shared', visibility='shared'),
            'community': bob.create(name='b-community', visibility='community'),
            'public': admin.create(name='public', visibility='public', owner='p-bob')}
    resp = bob.post('/v2/images/%s/members' % made['shared']['id'], {'member': 'p-alice'})
    assert resp.status_int == 200, resp.text
    bob.put('/v2/images/%s/file' % made['public']['id'], body=b'public data')
    return alice, bob, admin, made


def _state(admin, made):
    out = {}
    for name, img in made.items():
        shown = admin.get('/v2/images/%s' % img['id']).json
        shown.pop('updated_at')
        out[name] = shown
    out['members'] = admin.get('/v2/images/%s/members' % made['shared']['id']).json
    return out


def test_escalation_by_update_on_every_image_resource(images):
    alice, bob, admin, made = images
    before = _state(admin, made)
    denied = (403, 404)
    for name, img in made.items():
        path = '/v2/images/%s' % img['id']
        attempts = [
            ('PATCH', path, [{'op': 'replace', 'path': '/name', 'value': 'mine'}]),
            ('PATCH', path, [{'op': 'replace', 'path': '/owner', 'value': 'p-alice'}]),
            ('PATCH', path, [{'op': 'replace', 'path': '/visibility', 'value': 'private'}]),
            ('PATCH', path, [{'op': 'replace', 'path': '/protected', 'value': True}]),
            ('PATCH', path, [{'op': 'add', 'path': '/x_backdoor', 'value': '1'}]),
            ('DELETE', path, None),
            ('POST', path + '/actions/deactivate', None),
            ('PUT', path + '/tags/mine', None),
            ('DELETE', path + '/tags/b', None),
            ('PUT', path + '/file', b'replaced data'),
            ('PUT', path + '/stage', b'staged data'),
            ('POST', path + '/import', {'method': {'name': 'glance-direct'}}),
            ('POST', path + '/import', {'method': {'name': 'copy-image'},
                                        'stores': ['file2']}),
            ('POST', path + '/members', {'member': 'p-mallory'}),
            ('DELETE', path + '/members/p-alice', None),
        ]
        for method, url, body in attempts:
            if method == 'PATCH':
                resp = alice.patch(url, body)
            elif isinstance(body, bytes):
                resp = alice.request(method, url, body=body)
            else:
                resp = alice.request(method, url, json_body=body)
            assert resp.status_int in denied, (name, method, url, resp.status, resp.msg)
    # The member itself may only accept or reject, and only for itself.
    shared = '/v2/images/%s/members' % made['shared']['id']
    assert alice.put(shared + '/p-bob', json_body={'status': 'accepted'}).status_int in denied
    resp = bob.put(shared + '/p-alice', json_body={'status': 'accepted'})
    assert resp.status_int == 403, resp.msg
    # Alice's own image cannot be given away, published, or re-created under another owner.
    own = alice.create(name='mine')
    for changes in ([{'op': 'replace', 'path': '/owner', 'value': 'p-bob'}],
                    [{'op': 'replace', 'path': '/visibility', 'value': 'public'}],
                    [{'op': 'replace', 'path': '/status', 'value': 'active'}],
                    [{'op': 'add', 'path': '/os_glance_import_task', 'value': 'x'}],
                    [{'op': 'replace', 'path': '/locations', 'value': []}],
                    [{'op': 'replace', 'path': '/id', 'value': str(uuid.uuid4())}]):
        resp = alice.patch('/v2/images/%s' % own['id'], changes)
        assert resp.status_int == 403, (changes, resp.status, resp.msg)
    for body in ({'name': 'x', 'owner': 'p-bob'}, {'name': 'x', 'visibility': 'public'},
                 {'name': 'x', 'id': made['private']['id']}):
        resp = alice.post('/v2/images', body)
        assert resp.status_int in (403, 409), (body, resp.status)
    assert _state(admin, made) == before


def test_hostile_text_is_refused_wherever_an_image_takes_text(images):
    alice, _bob, _admin, _made = images
    own = alice.create(name='mine')
    path = '/v2/images/%s' % own['id']
    for text in BAD_TEXT:
        creates = [{'name': text}, {'tags': [text]}, {'owner': text}, {text: 'value'},
                   {'x_prop': text.replace('\n', '\x1b')}]
        for body in creates:
            body.update(disk_format='raw', container_format='bare')
            resp = alice.post('/v2/images', body)
            assert resp.status_int in (400, 403), (body, resp.status, resp.msg)
        for change in ({'op': 'replace', 'path': '/name', 'value': text},
                       {'op': 'replace', 'path': '/tags', 'value': [text]},
                       {'op': 'add', 'path': '/' + text.replace('/', ''), 'value': 'v'},
                       {'op': 'add', 'path': '/x_prop', 'value': text.replace('\n', '\x00')}):
            resp = alice.patch(path, [change])
            assert resp.status_int == 400, (change, resp.status, resp.msg)
        resp = alice.put(path + '/tags/' + urllib.parse.quote(text, safe=''))
        assert resp.status_int == 400, (text, resp.status, resp.msg)
        resp = alice.post(path + '/members', {'member': text})
        assert resp.status_int in (400, 403), (text, resp.status)
    # Multi-line text is fine in a property value, and ordinary Unicode everywhere.
    resp = alice.patch(path, [{'op': 'add', 'path': '/description',
                               'value': 'line one\nline two\ttab'},
                              {'op': 'replace', 'path': '/name', 'value': 'café ☕'}])
    assert resp.status_int == 200 and resp.json['description'] == 'line one\nline two\ttab'
    shown = alice.get(path).json
    assert shown['name'] == 'café ☕' and shown['tags'] == []


def _malformed(member_key):
    return [
        (json.dumps({member_key: 'n' * 120000}).encode(), (413,)),
        (b'[' * 20000 + b']' * 20000, (400,)),
        (json.dumps({member_key: '\udcff'}).encode(), (400,)),
        (b'{"%s": NaN}' % member_key.encode(), (400,)),
        (b'{"%s": ' % member_key.encode(), (400,)),
        (b'\xff\xfe\x00', (400,)),
        (b'"text"', (400,)),
        (b'7', (400,)),
        (json.dumps({member_key: ['a'] * 5}).encode(), (400,)),
    ]


def test_oversize_and_malformed_bodies_on_every_image_resource(images):
    alice, _bob, _admin, made = images
    own = alice.create(name='mine')
    path = '/v2/images/%s' % own['id']
    json_endpoints = [('POST', '/v2/images', 'name', 'application/json'),
                      ('PATCH', path, 'name', PATCH),
                      ('POST', path + '/members', 'member', 'application/json'),
                      ('POST', path + '/import', 'method', 'application/json'),
                      ('PUT', '/v2/images/%s/members/p-alice' % made['shared']['id'],
                       'status', 'application/json')]
    for method, url, key, ctype in json_endpoints:
        for raw, codes in _malformed(key):
            resp = alice.request(method, url, body=raw, headers={'Content-Type': ctype})
            assert resp.status_int in codes, (method, url, raw[:40], resp.status,
                                              resp.msg[:200])
    # A JSON Patch document is a list of changes, each one well formed.
    for changes in ({'op': 'replace'}, [1], [{'op': 'move', 'path': '/name', 'from': '/a'}],
                    [{'op': 'replace', 'path': 'name', 'value': 'x'}],
                    [{'op': 'replace', 'path': '/a/b', 'value': 'x'}],
                    [{'op': 'add', 'path': '/' + 'p' * 300, 'value': 'x'}],
                    [{'op': 'add', 'path': '/x', 'value': {'nested': 'object'}}],
                    [{'op': 'add', 'path': '/x', 'value': 'v' * 70000}],
                    [{'op': 'replace', 'path': '/min_ram', 'value': 2 ** 40}],
                    [{'op': 'replace', 'path': '/min_ram', 'value': None}],
                    [{'op': 'replace', 'path': '/tags', 'value': ['t'] * 2000}]):
        resp = alice.request('PATCH', path, body=json.dumps(changes).encode(),
                             headers={'Content-Type': PATCH})
        assert resp.status_int in (400, 413), (changes, resp.status, resp.msg[:200])
    resp = alice.request('PATCH', path, body=b'[]', headers={'Content-Type': 'text/plain'})
    assert resp.status_int == 415
    # Query strings and paths are input too.
    for url in ('/v2/images?limit=abc', '/v2/images?limit=-5', '/v2/images?marker=%ff',
                '/v2/images?sort_key=nope', '/v2/images?sort=name:sideways',
                '/v2/images?name=%ff%fe', '/v2/images/%ff%fe', '/v2/images?limit=' + '9' * 5000,
                '/v2/images?created_at=gte:yesterday', '/v2/images?visibility=%00',
                '/v2/images?member_status=%0a'):
        resp = alice.get(url)
        assert 200 <= resp.status_int < 500, (url, resp.status)
    assert alice.get('/v2/images/%s' % path.rsplit('/', 1)[1]).json['name'] == 'mine'
