"""Register users, projects, roles, services and endpoints through the Identity API, in one
process (the openstack CLI costs a second per call). Idempotent.

usage: register.py <spec.json>   with {"users": [{"name", "password", "project", "roles"}],
                                        "roles": [name, ...],
                                        "endpoints": [{"type", "name", "url"}]}
Admin credentials come from OS_* variables.
"""
import json
import sys

from common import client as client_mod


def ensure_project(api, name):
    found = api.get('/v3/projects', params={'name': name}).json()['projects']
    if found:
        return found[0]['id']
    return api.post('/v3/projects', {'project': {'name': name}}).json()['project']['id']


def ensure_role(api, name):
    found = api.get('/v3/roles', params={'name': name}).json()['roles']
    if found:
        return found[0]['id']
    return api.post('/v3/roles', {'role': {'name': name}}).json()['role']['id']


def ensure_user(api, spec):
    project_id = ensure_project(api, spec['project'])
    found = api.get('/v3/users', params={'name': spec['name']}).json()['users']
    if found:
        user_id = found[0]['id']
        api.patch('/v3/users/%s' % user_id, {'user': {'password': spec['password'],
                                                      'enabled': True}})
    else:
        user_id = api.post('/v3/users', {'user': {
            'name': spec['name'], 'password': spec['password'],
            'default_project_id': project_id}}).json()['user']['id']
    for role in spec.get('roles', []):
        api.put('/v3/projects/%s/users/%s/roles/%s' % (project_id, user_id,
                                                       ensure_role(api, role)))


def ensure_endpoints(api, spec, region='RegionOne'):
    services = api.get('/v3/services', params={'type': spec['type']}).json()['services']
    if services:
        service_id = services[0]['id']
    else:
        service_id = api.post('/v3/services', {'service': {
            'type': spec['type'], 'name': spec['name']}}).json()['service']['id']
    existing = api.get('/v3/endpoints', params={'service_id': service_id}).json()['endpoints']
    for interface in ('public', 'internal', 'admin'):
        match = [e for e in existing if e['interface'] == interface]
        if match and match[0]['url'] != spec['url']:
            api.patch('/v3/endpoints/%s' % match[0]['id'], {'endpoint': {'url': spec['url']}})
        elif not match:
            api.post('/v3/endpoints', {'endpoint': {
                'service_id': service_id, 'interface': interface, 'url': spec['url'],
                'region_id': region}})


def main(path):
    with open(path) as handle:
        spec = json.load(handle)
    api = client_mod.ServiceClient(client_mod.session_from_env(), 'identity')
    for role in spec.get('roles', []):
        ensure_role(api, role)
        print('  role %s' % role)
    for user in spec.get('users', []):
        ensure_user(api, user)
        print('  user %s in project %s' % (user['name'], user['project']))
    for endpoint in spec.get('endpoints', []):
        ensure_endpoints(api, endpoint)
        print('  %s endpoints at %s' % (endpoint['type'], endpoint['url']))


if __name__ == '__main__':
    main(sys.argv[1])
