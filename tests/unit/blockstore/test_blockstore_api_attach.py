"""Attaching as compute does: the v3 attachments API and the older volume actions; the
connection_info is the file driver's iSCSI target (tgt is the TEST FAKE of tgtadm)."""
CONNECTOR = {'initiator': 'iqn.2024-01.org.cirrostack:node1', 'ip': '192.0.2.10',
             'host': 'node1', 'platform': 'x86_64', 'os_type': 'linux', 'multipath': False}
SERVER = 'c0ffee00-0000-4000-8000-000000000001'
V = '3.44'


def targets(cloud):
    return [e['volume_id'] for e in cloud.driver.list_exports()]


def test_attachments_api_flow(cloud):
    vol = cloud.volume(1)
    att = cloud.ok('POST', '/attachments', {'attachment': {
        'volume_uuid': vol['id'], 'instance_uuid': SERVER}}, status=200,
        version=V)['attachment']
    assert att['status'] == 'reserved' and att['connection_info'] == {}
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'reserved'
    # A second attachment of a volume without multiattach is refused.
    code, fault = cloud.call('POST', '/attachments', {'attachment': {
        'volume_uuid': vol['id'], 'instance_uuid': SERVER}}, version=V)
    assert code == 400 and 'status' in fault['badRequest']['message']
    att = cloud.ok('PUT', '/attachments/%s' % att['id'], {'attachment': {
        'connector': CONNECTOR}}, version=V)['attachment']
    info = att['connection_info']
    assert info['driver_volume_type'] == 'iscsi'
    data = info['data']
    assert data['target_iqn'].endswith('volume-%s' % vol['id'])
    assert data['target_lun'] == 1 and data['auth_method'] == 'CHAP'
    assert data['auth_username'] and data['auth_password'] and data['access_mode'] == 'rw'
    assert info['attachment_id'] == att['id']
    assert targets(cloud) == [vol['id']]
    cloud.ok('POST', '/attachments/%s/action' % att['id'], {'os-complete': None},
             status=204, version=V)
    shown = cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']
    assert shown['status'] == 'in-use'
    assert shown['attachments'][0]['server_id'] == SERVER
    # Attached: no delete.
    assert cloud.call('DELETE', '/volumes/%s' % vol['id'])[0] == 400
    cloud.ok('DELETE', '/attachments/%s' % att['id'], status=200, version=V)
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'available'
    assert targets(cloud) == []


def test_attachments_need_a_microversion_and_valid_bodies(cloud):
    vol = cloud.volume(1)
    assert cloud.call('POST', '/attachments', {'attachment': {
        'volume_uuid': vol['id']}})[0] == 404
    code, fault = cloud.call('POST', '/attachments', {'attachment': {
        'volume_uuid': 'nope'}}, version=V)
    assert code == 400 and 'volume_uuid' in fault['badRequest']['message']
    code, fault = cloud.call('POST', '/attachments', {'attachment': {
        'volume_uuid': vol['id'], 'connector': {'ip': '192.0.2.1', 'initiator': 'a,b'}}},
        version=V)
    assert code == 400 and 'connector' in fault['badRequest']['message'].lower()
    # the refused connection left the volume as it was
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'available'
    assert cloud.call('GET', '/v3/demo/attachments', version='3.0')[0] == 404
    assert cloud.call('GET', '/attachments', version='3.72')[0] == 406


def test_legacy_actions_flow(cloud):
    vol = cloud.volume(1)
    act = '/volumes/%s/action' % vol['id']
    cloud.ok('POST', act, {'os-reserve': {}})
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'attaching'
    info = cloud.ok('POST', act, {'os-initialize_connection': {'connector': CONNECTOR}},
                    status=200)['connection_info']
    assert info['data']['target_portal'] == '127.0.0.1:3260'
    cloud.ok('POST', act, {'os-attach': {'instance_uuid': SERVER, 'mountpoint': '/dev/vdb',
                                         'mode': 'rw'}})
    shown = cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']
    assert shown['status'] == 'in-use' and shown['attachments'][0]['device'] == '/dev/vdb'
    cloud.ok('POST', act, {'os-begin_detaching': {}})
    cloud.ok('POST', act, {'os-terminate_connection': {'connector': CONNECTOR}})
    cloud.ok('POST', act, {'os-detach': {}})
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'available'
    assert targets(cloud) == []
    # reserve / unreserve
    cloud.ok('POST', act, {'os-reserve': None})
    assert cloud.call('POST', act, {'os-reserve': None})[0] == 400
    cloud.ok('POST', act, {'os-unreserve': None})
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'available'


def test_legacy_attach_without_reserve_and_the_readonly_flag(cloud):
    """tempest's legacy flow: os-attach straight from available (Cinder allows it), and a
    readonly flag that shows among the metadata once set and makes connections read-only."""
    vol = cloud.volume(1)
    act = '/volumes/%s/action' % vol['id']
    for flag in (True, False, 'true'):
        cloud.ok('POST', act, {'os-update_readonly_flag': {'readonly': flag}})
        shown = cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']
        assert shown['metadata']['readonly'] == str(flag in (True, 'true'))
    info = cloud.ok('POST', act, {'os-initialize_connection': {'connector': CONNECTOR}},
                    status=200)['connection_info']
    assert info['data']['access_mode'] == 'ro'
    cloud.ok('POST', act, {'os-attach': {'instance_uuid': SERVER, 'mountpoint': '/dev/vdc'}})
    shown = cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']
    assert shown['status'] == 'in-use' and shown['attachments'][0]['device'] == '/dev/vdc'
    # not multiattach: a second attach of an in-use volume is refused, nothing added
    code, _ = cloud.call('POST', act, {'os-attach': {'instance_uuid': SERVER,
                                                     'mountpoint': '/dev/vdd'}})
    assert code == 400
    assert len(cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['attachments']) == 1
    cloud.ok('POST', act, {'os-terminate_connection': {'connector': CONNECTOR}})
    cloud.ok('POST', act, {'os-detach': {}})
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'available'


def test_update_snapshot_status_follows_cinders_transitions(cloud):
    vol = cloud.volume(1)
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id']}})['snapshot']
    cloud.wait('snapshot', snap['id'], ('available',))
    act = '/snapshots/%s/action' % snap['id']
    # from available nothing may be reported
    assert cloud.call('POST', act, {'os-update_snapshot_status': {'status': 'error'}})[0] == 400
    cloud.ok('POST', act, {'os-reset_status': {'status': 'creating'}}, token=cloud.admin())
    for bad in ({'status': 'bogus'}, {'status': 'error', 'progress': '101%'},
                {'status': 'error', 'progress': 80}, {'status': 'error', 'extra': 1}):
        assert cloud.call('POST', act, {'os-update_snapshot_status': bad})[0] == 400
    assert cloud.call('POST', act, {'os-update_snapshot_status': {
        'status': 'deleting'}})[0] == 400
    cloud.ok('POST', act, {'os-update_snapshot_status': {'status': 'error',
                                                         'progress': '80%'}})
    shown = cloud.ok('GET', '/snapshots/%s' % snap['id'])['snapshot']
    assert shown['status'] == 'error'
    assert shown['os-extended-snapshot-attributes:progress'] == '80%'
    other = cloud.token('other')
    assert cloud.call('POST', act, {'os-update_snapshot_status': {'status': 'error'}},
                      token=other)[0] in (403, 404)


def test_snapshot_create_names_a_volume(cloud):
    """A null volume_id is a volume not found (404, as Cinder); a missing or malformed one
    is a 400."""
    assert cloud.call('POST', '/snapshots', {'snapshot': {'volume_id': None}})[0] == 404
    assert cloud.call('POST', '/snapshots', {'snapshot': {'name': 'x'}})[0] == 400
    assert cloud.call('POST', '/snapshots', {'snapshot': {'volume_id': 'nope'}})[0] == 400
    assert cloud.ok('GET', '/snapshots')['snapshots'] == []
