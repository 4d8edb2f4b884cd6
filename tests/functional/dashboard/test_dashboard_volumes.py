"""The dashboard (in-process) against the real identity daemon and the real block storage
daemons (the blockstore functional fixture: blockstore-api and -scheduler as subprocesses,
the volume daemon with the file driver in this process): a demo user creates a volume
named <script> (shown escaped, with its status polled until available), snapshots it,
sees the snapshot, deletes it; errors of the block storage API, and an attach with no
compute in the catalog, come back as messages."""
import importlib.util
import os
import re
import time

import pytest

from common.testing.dashboard_browser import InProcessClient as Browser

# The block storage daemons' fixture (blockstore_cloud), used as it is.
_spec = importlib.util.spec_from_file_location(
    'blockstore_functional_fixtures', os.path.join(os.path.dirname(__file__), '..',
                                                   'blockstore', 'conftest.py'))
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
blockstore_cloud = _fixtures.blockstore_cloud

pytestmark = pytest.mark.timeout(300)
EVIL = '<script>alert(1)</script>'


def poll(b, url, key, ident, wanted, timeout=60):
    """What the pages' polling script does: the JSON view until the row's status is one
    of ``wanted`` (None: until the row is gone)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = b.request(url).json[key]
        row = rows.get(ident)
        if (row is None and wanted is None) or (row and wanted and row['status'] in wanted):
            return row
        assert time.monotonic() < deadline, (url, ident, row)
        time.sleep(0.5)


def flashed(dash, b):
    return dash.sessions.store.get(dash.sessions.signer.unsign(b.cookie)).get('flash')


def test_volume_and_its_snapshots_through_the_dashboard(identity, blockstore_cloud, dash):
    b = Browser(dash)
    assert b.login('demo', identity.demo_password).status_int == 303
    resp = b.post('/project/volumes', {'name': EVIL, 'size': '1'}, '/project/volumes')
    assert resp.status_int == 303
    page = b.request('/project/volumes')
    assert page.status_int == 200
    assert '<script>alert' not in page.text
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in page.text
    volume_id = re.search(r'<tr data-id="([^"]+)" data-stable="(yes|no)"><td class="name">'
                          r'&lt;script&gt;', page.text).group(1)
    row = poll(b, '/project/volumes/status.json', 'volumes', volume_id, ('available',))
    assert row == {'name': EVIL, 'status': 'available', 'attached': [], 'stable': True}
    assert b.request('/project/volumes/status.json?id=%s' % volume_id).json['volumes'][
        volume_id]['status'] == 'available'

    snaps = '/project/volumes/%s/snapshots' % volume_id
    resp = b.post(snaps, {'name': 'snap-' + EVIL, 'description': 'd'}, snaps)
    assert resp.status_int == 303 and resp.location.endswith(snaps)
    assert flashed(dash, b)[-1][0] == 'success'
    page = b.request(snaps)
    assert page.status_int == 200 and 'snap-&lt;script&gt;' in page.text
    snapshot_id = re.search(r'<tr data-id="([^"]+)" data-stable', page.text).group(1)
    poll(b, snaps + '/status.json', 'snapshots', snapshot_id, ('available',))

    # Block storage refuses to delete a volume with a snapshot: a message, not a 500.
    resp = b.post('/project/volumes/%s/delete' % volume_id, {}, '/project/volumes')
    assert resp.status_int == 303
    level, message, request_id = flashed(dash, b)[-1]
    assert level == 'error' and 'snapshot' in message.lower() and request_id
    page = b.request('/project/volumes')
    assert message.replace('"', '&#34;').replace("'", '&#39;') in page.text

    # No compute in this cloud's catalog: attaching says so.
    resp = b.post('/project/volumes/%s/attach' % volume_id, {'server_id': 'srv1'},
                  '/project/volumes')
    assert resp.status_int == 303
    assert flashed(dash, b)[-1][:2] == ['error', 'The compute service is not in your '
                                                 'catalog.']

    resp = b.post(snaps + '/%s/delete' % snapshot_id, {}, snaps)
    assert resp.status_int == 303
    poll(b, snaps + '/status.json', 'snapshots', snapshot_id, None)
    assert 'No snapshots.' in b.request(snaps).text
    assert b.post('/project/volumes/%s/delete' % volume_id, {},
                  '/project/volumes').status_int == 303
    poll(b, '/project/volumes/status.json', 'volumes', volume_id, None)


def test_snapshot_of_another_projects_volume_is_a_message(identity, blockstore_cloud, dash):
    b = Browser(dash)
    b.login('demo', identity.demo_password)
    resp = b.post('/project/volumes/no-such-volume/snapshots', {'name': 's'},
                  '/project/volumes')
    assert resp.status_int == 303
    level, message, _rid = flashed(dash, b)[-1]
    assert level == 'error' and 'no-such-volume' in message
    assert b.request('/project/volumes/no-such-volume/snapshots').status_int == 404
