"""Requests as the real clients send them (issue 12): ``openstack domain create`` sends
``options: {}``, tempest sends ``project_id`` on users and groups; Keystone keeps unknown
attributes and returns them (shown, listed, merged on update), and none of this may answer
500 (test_identity_negative covers every resource kind once)."""
import json
import os
import subprocess
import sys

import pytest

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')

pytestmark = pytest.mark.timeout(120)


def osc(identity, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(identity.os_env('admin'))
    proc = subprocess.run([OPENSTACK] + list(args) + ['-f', 'json'], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, '%s: %s' % (' '.join(args), proc.stderr)
    return json.loads(proc.stdout)


def test_openstack_domain_create_sends_options(identity, api):
    name = api.name('d1')
    domain = osc(identity, 'domain', 'create', name)
    api._created.append(('domain', domain['id']))
    assert domain['name'] == name and domain['enabled'] is True
    shown = osc(identity, 'domain', 'show', domain['id'])
    assert shown['name'] == name


def test_openstack_user_create_with_project(identity, api):
    project = api.create('project')
    name = api.name('u')
    user = osc(identity, 'user', 'create', '--project', project['name'], '--password',
               'pw-1234', name)
    api._created.append(('user', user['id']))
    assert user['default_project_id'] == project['id']
    # With a role there, the user's token without a scope is scoped to that project.
    api.grant(user['id'], 'member', project_id=project['id'])
    status, token, body = api.auth({'id': user['id'], 'password': 'pw-1234'})
    assert status == 201 and body['token']['project']['id'] == project['id']


@pytest.mark.parametrize('kind', ['user', 'group', 'project', 'domain'])
def test_unknown_attributes_are_kept_and_returned(api, kind):
    entity = api.create(kind, project_id='p-123', color={'r': 1}, description='d')
    assert (entity['project_id'], entity['color']) == ('p-123', {'r': 1})
    path = '/v3/%ss/%s' % (kind, entity['id'])
    _, _, shown = api.call('GET', path, expect=200)
    assert (shown[kind]['project_id'], shown[kind]['color']) == ('p-123', {'r': 1})
    _, _, listed = api.call('GET', '/v3/%ss?name=%s' % (kind, entity['name']), expect=200)
    assert [e['color'] for e in listed[kind + 's']] == [{'r': 1}]
    # An update merges: new attributes are added, the others stay; real fields win.
    _, _, updated = api.call('PATCH', path, {kind: {'size': 3, 'description': 'e'}},
                             expect=200)
    assert (updated[kind]['size'], updated[kind]['color'], updated[kind]['description']) == (
        3, {'r': 1}, 'e')
    _, _, spoof = api.call('PATCH', path, {kind: {'id': 'other', 'links': 'x'}}, expect=200)
    assert spoof[kind]['id'] == entity['id'] and spoof[kind]['links']['self'].endswith(path)


def test_resource_options_clients_send_are_accepted(api):
    project = api.create('project', options={})
    assert project['options'] == {}
    api.call('PATCH', '/v3/projects/%s' % project['id'], {'project': {'options': {}}},
             expect=200)
    domain = api.create('domain', options={})
    assert domain['options'] == {} and domain['enabled'] is True


def test_oversized_extra_attributes_are_refused(api):
    status, _, body = api.call('POST', '/v3/groups', {'group': {
        'name': api.name('g'), 'blob': 'x' * 70000}})
    assert status == 400 and 'extra attributes' in body['error']['message']
