"""Network flavors and service profiles (flavors): admin-only changes, associations, and
the 4xx answers for what is wrong."""
import pytest

pytestmark = pytest.mark.timeout(60)


def _flavor(api, **kw):
    body = dict({'name': 'gold', 'service_type': 'L3_ROUTER_NAT'}, **kw)
    return api.ok('POST', '/v2.0/flavors', {'flavor': body}, token=api.tokens.admin())['flavor']


def test_flavor_crud_by_admin_and_read_by_members(api):
    admin = api.tokens.admin()
    flavor = _flavor(api, description='fast routers')
    assert flavor['name'] == 'gold' and flavor['enabled'] is True
    assert flavor['service_type'] == 'L3_ROUTER_NAT' and flavor['service_profiles'] == []
    assert 'project_id' not in flavor
    # members list and show flavors but may not change them
    assert [f['id'] for f in api.ok('GET', '/v2.0/flavors')['flavors']] == [flavor['id']]
    assert api.ok('GET', '/v2.0/flavors/%s' % flavor['id'])['flavor'] == flavor
    assert api.call('POST', '/v2.0/flavors', {'flavor': {
        'name': 'x', 'service_type': 'L3_ROUTER_NAT'}})[0] == 403
    assert api.call('PUT', '/v2.0/flavors/%s' % flavor['id'],
                    {'flavor': {'enabled': False}})[0] == 403
    assert api.call('DELETE', '/v2.0/flavors/%s' % flavor['id'])[0] == 403
    shown = api.ok('PUT', '/v2.0/flavors/%s' % flavor['id'],
                   {'flavor': {'enabled': False, 'name': 'silver'}}, token=admin)['flavor']
    assert shown['enabled'] is False and shown['name'] == 'silver'
    assert [f['name'] for f in api.ok('GET', '/v2.0/flavors?enabled=false')['flavors']] == \
        ['silver']
    api.ok('DELETE', '/v2.0/flavors/%s' % flavor['id'], token=admin)
    assert api.call('GET', '/v2.0/flavors/%s' % flavor['id'])[0] == 404


def test_flavor_refuses_bad_input(api):
    admin = api.tokens.admin()
    for body in ({'name': 'x', 'service_type': 'NO_SUCH_SERVICE'}, {'name': 'x'},
                 {'name': 'x\n', 'service_type': 'L3_ROUTER_NAT'},
                 {'service_type': 'L3_ROUTER_NAT', 'enabled': 'yes'},
                 {'service_type': 'L3_ROUTER_NAT', 'service_profiles': []}):
        code, err = api.call('POST', '/v2.0/flavors', {'flavor': body}, token=admin)
        assert code == 400, (body, err)
    flavor = _flavor(api)
    code, _ = api.call('PUT', '/v2.0/flavors/%s' % flavor['id'],
                       {'flavor': {'service_type': 'L3_ROUTER_NAT'}}, token=admin)
    assert code == 400
    assert api.call('GET', '/v2.0/flavors/nope')[0] == 404


def test_service_profiles_are_admin_only_and_associate_with_flavors(api):
    admin = api.tokens.admin()
    profile = api.ok('POST', '/v2.0/service_profiles', {'service_profile': {
        'driver': 'l3_agent', 'metainfo': '{"ha": false}', 'description': 'p'}},
        token=admin)['service_profile']
    assert profile['enabled'] is True and profile['metainfo'] == '{"ha": false}'
    # members see none and may not make one
    assert api.ok('GET', '/v2.0/service_profiles')['service_profiles'] == []
    assert api.call('GET', '/v2.0/service_profiles/%s' % profile['id'])[0] == 403
    assert api.call('POST', '/v2.0/service_profiles',
                    {'service_profile': {'driver': 'x'}})[0] == 403
    # a profile needs a driver or metainfo
    assert api.call('POST', '/v2.0/service_profiles', {'service_profile': {
        'description': 'empty'}}, token=admin)[0] == 400

    flavor = _flavor(api)
    path = '/v2.0/flavors/%s/service_profiles' % flavor['id']
    assert api.call('POST', path, {'service_profile': {'id': profile['id']}})[0] == 403
    bound = api.ok('POST', path, {'service_profile': {'id': profile['id']}}, token=admin)
    assert bound == {'service_profile': {'id': profile['id']}}
    assert api.ok('GET', '/v2.0/flavors/%s' % flavor['id'])['flavor'][
        'service_profiles'] == [profile['id']]
    assert api.call('POST', path, {'service_profile': {'id': profile['id']}},
                    token=admin)[0] == 409
    assert api.call('POST', path, {'service_profile': {'id': 'nope'}}, token=admin)[0] == 404
    assert api.call('POST', path, {'service_profile': {}}, token=admin)[0] == 400
    assert api.call('POST', path, {'profile': {'id': profile['id']}}, token=admin)[0] == 400
    # a profile in use is not deleted
    code, err = api.call('DELETE', '/v2.0/service_profiles/%s' % profile['id'], token=admin)
    assert code == 409, err
    assert api.call('DELETE', '%s/%s' % (path, profile['id']))[0] == 403
    api.ok('DELETE', '%s/%s' % (path, profile['id']), token=admin)
    assert api.call('DELETE', '%s/%s' % (path, profile['id']), token=admin)[0] == 404
    assert api.ok('GET', '/v2.0/flavors/%s' % flavor['id'])['flavor']['service_profiles'] == []
    api.ok('DELETE', '/v2.0/service_profiles/%s' % profile['id'], token=admin)
    assert api.call('GET', '/v2.0/service_profiles/%s' % profile['id'],
                    token=admin)[0] == 404


def test_deleting_a_flavor_drops_its_associations(api):
    admin = api.tokens.admin()
    profile = api.ok('POST', '/v2.0/service_profiles', {'service_profile': {
        'driver': 'l3_agent'}}, token=admin)['service_profile']
    flavor = _flavor(api)
    api.ok('POST', '/v2.0/flavors/%s/service_profiles' % flavor['id'],
           {'service_profile': {'id': profile['id']}}, token=admin)
    api.ok('DELETE', '/v2.0/flavors/%s' % flavor['id'], token=admin)
    api.ok('DELETE', '/v2.0/service_profiles/%s' % profile['id'], token=admin)
