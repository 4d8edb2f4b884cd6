"""The block storage API's attach handshake against a real (private) tgtd: the
connection_info an attachment returns lets QEMU's initiator log in with CHAP and write;
deleting the attachment ends the export; deleting the volume leaves no target, no file."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import blockstore_tgt_helpers as helpers  # noqa: E402
from common.testing import blockstore_cloud  # noqa: E402
from common.testing import tokens  # noqa: E402

CONNECTOR = {'initiator': helpers.INITIATOR, 'ip': '127.0.0.1', 'host': 'tgt-test-host'}
V = '3.44'


@pytest.fixture
def api(tmp_path, driver):
    source = tokens.TokenSource(str(tmp_path / 'tokens'))
    running = blockstore_cloud.start(tmp_path, source, lambda conf: driver)
    yield running
    blockstore_cloud.stop(running)
    source.close()


def test_attachment_connection_info_logs_in_and_detach_ends_it(api, driver, initiator, tgtd):
    vol = api.volume(1)
    assert vol['status'] == 'available'
    att = api.ok('POST', '/attachments', {'attachment': {
        'volume_uuid': vol['id'], 'connector': CONNECTOR}}, status=200,
        version=V)['attachment']
    data = att['connection_info']['data']
    done = initiator.io(data, 'write -P 0x5a 0 1M', 'read -P 0x5a 0 1M')
    assert done.returncode == 0 and 'fail' not in (done.stdout + done.stderr).lower(), \
        done.stdout + done.stderr
    api.ok('POST', '/attachments/%s/action' % att['id'], {'os-complete': None}, status=204,
           version=V)
    assert api.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'in-use'
    api.ok('DELETE', '/attachments/%s' % att['id'], status=200, version=V)
    assert initiator.io(data, 'read 0 4k').returncode != 0        # export gone
    assert data['target_iqn'] not in tgtd.show_text()
    with open(driver.local_path(vol['id']), 'rb') as f:
        assert f.read(1024 * 1024) == b'\x5a' * (1024 * 1024)
    api.ok('DELETE', '/volumes/%s' % vol['id'])
    api.wait('volume', vol['id'], ('deleted',))
    assert driver.list_volume_data()['volumes'] == []
