"""Tags on network resources (standard-attr-tag): the calls `openstack network set --tag`
and tempest make, the four list filters, and who may change them."""
import urllib.parse

import pytest

pytestmark = pytest.mark.timeout(60)


def _tags(api, path, token=None):
    return api.ok('GET', path + '/tags', token=token)['tags']


def test_tags_add_check_replace_remove_on_every_taggable_kind(api):
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    sub = api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                      'cidr': '10.3.0.0/24'}})['subnet']
    port = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    router = api.ok('POST', '/v2.0/routers', {'router': {'name': 'r'}})['router']
    sg = api.ok('POST', '/v2.0/security-groups',
                {'security_group': {'name': 'g'}})['security_group']
    for collection, item in (('networks', net), ('subnets', sub), ('ports', port),
                             ('routers', router), ('security-groups', sg)):
        path = '/v2.0/%s/%s' % (collection, item['id'])
        assert item['tags'] == []
        assert api.call('PUT', path + '/tags/red')[0] == 201
        assert api.call('PUT', path + '/tags/red')[0] == 201      # idempotent
        assert api.call('GET', path + '/tags/red')[0] == 204
        assert api.call('GET', path + '/tags/blue')[0] == 404
        shown = api.ok('GET', path)[collection.replace('-', '_')[:-1]]
        assert shown['tags'] == ['red']
        assert shown['revision_number'] > item['revision_number']
        assert api.ok('PUT', path + '/tags', {'tags': ['b', 'a', 'b']})['tags'] == ['a', 'b']
        assert _tags(api, path) == ['a', 'b']
        assert api.call('DELETE', path + '/tags/a')[0] == 204
        code, body = api.call('DELETE', path + '/tags/a')
        assert code == 404 and body['NeutronError']['type'] == 'TagNotFound'
        assert api.call('DELETE', path + '/tags')[0] == 204
        assert _tags(api, path) == []


def test_tag_filters(api):
    ids = {}
    for name, tags in (('n1', ['a']), ('n2', ['a', 'b']), ('n3', ['c']), ('n4', [])):
        net = api.ok('POST', '/v2.0/networks', {'network': {'name': name}})['network']
        api.ok('PUT', '/v2.0/networks/%s/tags' % net['id'], {'tags': tags})
        ids[name] = net['id']

    def names(query):
        nets = api.ok('GET', '/v2.0/networks?' + urllib.parse.urlencode(query))['networks']
        return sorted(n['name'] for n in nets)
    assert names({'tags': 'a,b'}) == ['n2']
    assert names([('tags', 'a'), ('tags', 'b')]) == ['n2']
    assert names({'tags-any': 'b,c'}) == ['n2', 'n3']
    assert names({'not-tags': 'a,b'}) == ['n1', 'n3', 'n4']
    assert names({'not-tags-any': 'a,c'}) == ['n4']
    assert names({'tags': 'a', 'name': 'n1'}) == ['n1']
    listed = api.ok('GET', '/v2.0/networks?name=n2')['networks'][0]
    assert listed['tags'] == ['a', 'b']


def test_tag_changes_need_the_right_to_update_the_resource(api):
    admin = api.tokens.admin()
    bob = api.tokens.token('bob')
    shared = api.ok('POST', '/v2.0/networks', {'network': {'name': 's', 'shared': True}},
                    token=admin)['network']
    path = '/v2.0/networks/%s' % shared['id']
    api.ok('PUT', path + '/tags/ops', token=admin, status=201)
    # bob sees the shared network and its tags, but may not change them
    assert _tags(api, path, token=bob) == ['ops']
    assert api.call('PUT', path + '/tags/mine', token=bob)[0] == 403
    assert api.call('PUT', path + '/tags', {'tags': []}, token=bob)[0] == 403
    assert api.call('DELETE', path + '/tags', token=bob)[0] == 403
    assert _tags(api, path, token=admin) == ['ops']
    # another project's private network does not exist for him
    private = api.ok('POST', '/v2.0/networks', {'network': {'name': 'p'}})['network']
    assert api.call('GET', '/v2.0/networks/%s/tags' % private['id'], token=bob)[0] == 404
    assert api.call('PUT', '/v2.0/networks/%s/tags/x' % private['id'], token=bob)[0] == 404


@pytest.mark.parametrize('body', [{'tags': 'a'}, {'tags': [1]}, {'tags': ['a\nb']},
                                  {'tags': ['x' * 256]}, {'tags': ['']}, {'other': []},
                                  {'tags': ['t%d' % i for i in range(51)]}])
def test_bad_tag_bodies_answer_400_and_change_nothing(api, body):
    net = api.ok('POST', '/v2.0/networks', {'network': {'name': 'n'}})['network']
    path = '/v2.0/networks/%s' % net['id']
    api.ok('PUT', path + '/tags', {'tags': ['keep']})
    assert api.call('PUT', path + '/tags', body)[0] == 400
    assert _tags(api, path) == ['keep']
    assert api.call('GET', '/v2.0/networks?tags=')[0] == 400
