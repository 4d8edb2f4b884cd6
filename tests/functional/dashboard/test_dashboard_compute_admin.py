"""The dashboard (in-process) against a real compute-api daemon (the compute API
functional fixture: a subprocess over SQLite, tokens from the test key source): the admin
pages show what compute reports (a worker's service row and hypervisor, instances of two
projects), a member is refused them, and attach/detach errors of the real API reach the
user as messages."""
import importlib.util
import os
import time
import uuid

import pytest

from common.db import api as db_api
from common.testing.dashboard_browser import InProcessClient as Browser
from compute.db import compute_nodes
from compute.db import instances
from compute.db import services

# The compute API's fixtures (compute_api, token_source), used as they are.
_spec = importlib.util.spec_from_file_location(
    'compute_api_fixtures', os.path.join(os.path.dirname(__file__), '..', 'compute', 'api',
                                         'conftest.py'))
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
compute_api = _fixtures.compute_api
token_source = _fixtures.token_source

pytestmark = pytest.mark.timeout(300)


def browser(app, token, roles, compute_url, project):
    """A browser whose session holds ``token`` (as a login would have put it there)."""
    sess = app.sessions.new({'token': token, 'unscoped_token': token, 'roles': list(roles),
                             'user': {'id': 'u', 'name': 'u', 'domain': 'Default'},
                             'project_id': project, 'project_name': project,
                             'projects': [{'id': project, 'name': project}],
                             'expires': time.time() + 3600,
                             'catalog': {'compute': compute_url + '/v2.1'}})
    app.sessions.store.put(sess.sid, dict(sess))
    b = Browser(app)
    b.cookie = app.sessions.signer.sign(sess.sid)
    return b


def seed(tmp_path):
    """What a worker would have reported, and two projects' instances."""
    db = db_api.Database('sqlite:///%s' % (tmp_path / 'compute.sqlite'))
    services.report(db, 'compute-worker', 'fnode1')
    compute_nodes.upsert(db, 'fnode1', {'hypervisor_hostname': 'fnode1.example', 'vcpus': 4,
                                        'vcpus_used': 1, 'memory_mb': 4096,
                                        'memory_mb_used': 1024, 'local_gb': 20,
                                        'running_vms': 1})
    for project, name in (('demo', '<script>alert(1)</script>'), ('other', 'db-server')):
        with db.session() as sess:
            instances.create(sess, dict(
                uuid=str(uuid.uuid4()), project_id=project, user_id='u', display_name=name,
                hostname='vm', vm_state='active', host='fnode1', flavor_id='1',
                flavor={'id': '1', 'name': 'f', 'vcpus': 1, 'memory_mb': 64, 'root_gb': 1},
                reservation_id='r-%s' % project))


def test_admin_pages_show_what_compute_reports(compute_api, token_source, dash, tmp_path):
    seed(tmp_path)
    admin = browser(dash, token_source.admin(), ('admin', 'member'), compute_api.url,
                    'admin')
    page = admin.request('/admin/hypervisors')
    assert page.status_int == 200, page.text[:1000]
    assert 'fnode1.example' in page.text
    assert '<td class="vcpus">1 / 4</td>' in page.text
    assert '<td class="ram">1.0 GiB / 4.0 GiB</td>' in page.text
    page = admin.request('/admin/services')
    assert page.status_int == 200 and 'nova-compute' in page.text and 'fnode1' in page.text
    page = admin.request('/admin/instances')
    assert page.status_int == 200, page.text[:1000]
    # Both projects' servers, each with its project (no identity in the catalog: the ids).
    assert '<td class="project">other</td><td class="name">db-server</td>' in page.text
    assert '<td class="project">demo</td><td class="name">&lt;script&gt;alert(1)&lt;/script&gt;' \
        in page.text
    assert '<script>alert' not in page.text


def test_member_is_refused_the_admin_pages(compute_api, token_source, dash, tmp_path):
    seed(tmp_path)
    member = browser(dash, token_source.token('demo'), ('member', 'reader'),
                     compute_api.url, 'demo')
    overview_links = member.request('/project/servers').text
    for path in ('/admin/hypervisors', '/admin/services', '/admin/instances'):
        assert member.request(path).status_int == 403, path
        assert 'href="%s"' % path not in overview_links
    # The member's own servers page shows only the member's project, escaped.
    page = member.request('/project/servers')
    assert page.status_int == 200
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in page.text and 'db-server' not in page.text


def test_attach_errors_of_the_real_api_are_shown_as_messages(compute_api, token_source,
                                                             dash):
    member = browser(dash, token_source.token('demo'), ('member', 'reader'),
                     compute_api.url, 'demo')
    missing = str(uuid.uuid4())
    sid = dash.sessions.signer.unsign(member.cookie)
    resp = member.post('/project/volumes/%s/attach' % str(uuid.uuid4()),
                       {'server_id': missing}, '/project/servers')
    assert resp.status_int == 303 and resp.location.endswith('/project/volumes')
    [(level, message, request_id)] = dash.sessions.store.get(sid)['flash']
    assert level == 'error' and missing in message and request_id.startswith('req-')
    # The message is what the next page shows.
    page = member.request('/project/servers')
    assert page.status_int == 200 and message in page.text and request_id in page.text
    resp = member.post('/project/volumes/%s/detach' % str(uuid.uuid4()),
                       {'server_id': missing, 'from': 'server'}, '/project/servers')
    assert resp.status_int == 303 and resp.location.endswith('/project/servers/' + missing)
    [(level, message, _rid)] = dash.sessions.store.get(sid)['flash']
    assert level == 'error' and missing in message
