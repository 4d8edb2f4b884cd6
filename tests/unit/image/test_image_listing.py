"""Unit tests of image lists (filters, sorting, pagination) and of sharing with members."""
import datetime
import urllib.parse

import pytest


def _names(resp):
    assert resp.status_int == 200, resp.text
    return [i['name'] for i in resp.json['images']]


@pytest.fixture
def catalog(image_env):
    client, engine = image_env
    made = {}
    for i, (name, fmt, tags) in enumerate([('a', 'raw', ['x']), ('b', 'qcow2', ['x', 'y']),
                                           ('c', 'raw', []), ('d', 'iso', ['y'])]):
        made[name] = client.create(name=name, disk_format=fmt, tags=tags, min_ram=i)
    client.upload(made['a']['id'], b'1' * 10)
    client.upload(made['c']['id'], b'1' * 1000)
    hidden = client.create(name='h', os_hidden=True)
    made['h'] = hidden
    return client, made


def test_default_sort_newest_first_and_pagination(catalog):
    client, made = catalog
    assert _names(client.get('/v2/images')) == ['d', 'c', 'b', 'a']
    page = client.get('/v2/images?limit=3&sort_key=name&sort_dir=asc').json
    assert [i['name'] for i in page['images']] == ['a', 'b', 'c']
    assert page['first'] == '/v2/images?limit=3&sort_key=name&sort_dir=asc'
    nxt = page['next']
    assert 'marker=%s' % made['c']['id'] in nxt
    page2 = client.get(nxt).json
    assert [i['name'] for i in page2['images']] == ['d'] and 'next' not in page2
    assert page['schema'] == '/v2/schemas/images'


def test_sort_syntax_and_nulls(catalog):
    client, made = catalog
    assert _names(client.get('/v2/images?sort=size:asc,name:desc')) == ['d', 'b', 'a', 'c']
    assert _names(client.get('/v2/images?sort=size:desc,name')) == ['c', 'a', 'd', 'b']
    # Paging through NULL sizes with a marker keeps every image exactly once.
    seen, url = [], '/v2/images?sort=size:asc,name:asc&limit=1'
    while url:
        body = client.get(url).json
        seen += [i['name'] for i in body['images']]
        url = body.get('next')
    assert seen == ['b', 'd', 'a', 'c']


@pytest.mark.parametrize('query,expected', [
    ('name=b', ['b']), ('name=in:a,c', ['c', 'a']), ('disk_format=raw', ['c', 'a']),
    ('status=active', ['c', 'a']), ('tag=x', ['b', 'a']), ('tag=x&tag=y', ['b']),
    ('size_min=11', ['c']), ('size_max=10', ['a']), ('os_hidden=true', ['h']),
    ('protected=false', ['d', 'c', 'b', 'a']), ('visibility=shared', ['d', 'c', 'b', 'a']),
    ('visibility=public', []), ('container_format=bare&disk_format=iso', ['d']),
])
def test_filters(catalog, query, expected):
    client, _made = catalog
    assert _names(client.get('/v2/images?' + query)) == expected


def test_time_filters(catalog):
    client, _made = catalog
    past = '2000-01-01T00:00:00Z'
    future = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).strftime(
        '%Y-%m-%dT%H:%M:%SZ')
    assert len(_names(client.get('/v2/images?created_at=gte:' + past))) == 4
    assert _names(client.get('/v2/images?created_at=gt:' + future)) == []
    assert len(_names(client.get('/v2/images?updated_at=lt:' +
                                 urllib.parse.quote(future)))) == 4


def test_property_filter(image_env):
    client, _engine = image_env
    client.create(name='u', os_distro='ubuntu')
    client.create(name='f', os_distro='fedora')
    assert _names(client.get('/v2/images?os_distro=fedora')) == ['f']


@pytest.mark.parametrize('query,words', [
    ('limit=x', "'limit' must be an integer"), ('limit=-1', "'limit' must not be negative"),
    ('sort_key=colour', 'Invalid sort key: colour'), ('sort_dir=up', 'sort direction'),
    ('sort=name:sideways', 'sort direction'), ('sort=name&sort_key=size', 'not both'),
    ('visibility=everyone', 'Invalid visibility'), ('member_status=maybe', 'member_status'),
    ('status=happy', 'Invalid status'), ('size_min=big', 'size_min'),
    ('protected=perhaps', 'protected'), ('created_at=gte:yesterday', 'ISO 8601'),
    ('marker=00000000-0000-0000-0000-000000000000', 'Invalid marker'),
])
def test_bad_list_queries(image_env, query, words):
    client, _engine = image_env
    resp = client.get('/v2/images?' + query)
    assert resp.status_int == 400 and words in resp.msg, resp.msg


def test_limit_capped(image_env_with):
    client, _engine = image_env_with(api_limit_max=2)
    for name in 'abc':
        client.create(name=name)
    body = client.get('/v2/images?limit=50').json
    assert len(body['images']) == 2 and 'next' in body


def test_visibility_and_members_flow(image_env):
    alice, _engine = image_env
    bob, carol = alice.as_('p-bob'), alice.as_('p-carol')
    shared = alice.create(name='shared')
    private = alice.create(name='private', visibility='private')
    community = alice.create(name='community', visibility='community')
    members = '/v2/images/%s/members' % shared['id']
    # Private and community images have no members.
    resp = alice.post('/v2/images/%s/members' % private['id'], {'member': 'p-bob'})
    assert resp.status_int == 403 and 'Only shared images' in resp.msg
    # Not yet shared: bob sees nothing of it.
    assert bob.get('/v2/images/%s' % shared['id']).status_int == 404
    resp = alice.post(members, {'member': 'p-bob'})
    assert resp.status_int == 200 and resp.json['status'] == 'pending'
    assert resp.json['schema'] == '/v2/schemas/member'
    assert alice.post(members, {'member': 'p-bob'}).status_int == 409
    assert alice.post(members, {'member': 'p-carol'}).status_int == 200
    assert alice.post(members, {'bad': 1}).status_int == 400
    # Bob can see it directly, but lists it only once accepted (or by member_status).
    assert bob.get('/v2/images/%s' % shared['id']).status_int == 200
    assert _names(bob.get('/v2/images')) == []
    assert _names(bob.get('/v2/images?member_status=pending')) == ['shared']
    assert _names(bob.get('/v2/images?visibility=community')) == ['community']
    # Only the member sets its status; the owner cannot.
    resp = alice.put(members + '/p-bob', json_body={'status': 'accepted'})
    assert resp.status_int == 403
    resp = bob.put(members + '/p-bob', json_body={'status': 'maybe'})
    assert resp.status_int == 400 and 'status' in resp.msg
    # Like Glance, only 'status' counts: openstacksdk sends the member's other fields too.
    resp = bob.put(members + '/p-bob', json_body={'status': 'accepted', 'member': 'p-bob',
                                                  'member_id': 'p-bob'})
    assert resp.status_int == 200 and resp.json['status'] == 'accepted'
    assert _names(bob.get('/v2/images')) == ['shared']
    # Bob sees only his own membership; he cannot add or remove members.
    assert [m['member_id'] for m in bob.get(members).json['members']] == ['p-bob']
    assert [m['member_id'] for m in alice.get(members).json['members']] == ['p-bob',
                                                                            'p-carol']
    assert bob.get(members + '/p-carol').status_int == 404
    assert bob.post(members, {'member': 'p-dave'}).status_int == 403
    assert bob.delete(members + '/p-carol').status_int == 403
    assert bob.patch('/v2/images/%s' % shared['id'], [
        {'op': 'replace', 'path': '/name', 'value': 'stolen'}]).status_int == 403
    resp = carol.put(members + '/p-carol', json_body={'status': 'rejected'})
    assert resp.json['status'] == 'rejected'
    assert _names(carol.get('/v2/images')) == []
    assert _names(carol.get('/v2/images?member_status=rejected')) == ['shared']
    assert alice.get(members + '/p-carol').json['status'] == 'rejected'
    # Removing bob hides the image from him again.
    assert alice.delete(members + '/p-bob').status_int == 204
    assert bob.get('/v2/images/%s' % shared['id']).status_int == 404
    assert alice.delete(members + '/p-bob').status_int == 404
    # The owner lists everything of its own; admin lists everything.
    assert sorted(_names(alice.get('/v2/images'))) == ['community', 'private', 'shared']
    admin = alice.as_('p-admin', roles=('admin', 'member', 'reader'))
    assert sorted(_names(admin.get('/v2/images'))) == ['community', 'private', 'shared']
    assert _names(admin.get('/v2/images?owner=p-alice&visibility=private')) == ['private']


def test_member_quota(image_env_with):
    client, _engine = image_env_with(image_member_quota=1)
    img = client.create()
    members = '/v2/images/%s/members' % img['id']
    assert client.post(members, {'member': 'p-x'}).status_int == 200
    assert client.post(members, {'member': 'p-y'}).status_int == 413
