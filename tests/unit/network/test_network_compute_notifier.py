"""network-vif-plugged: a server's port going ACTIVE is reported to compute's
os-server-external-events; other ports and other changes are not."""
import threading

import pytest

from network import compute_notifier
from network.state import NetworkState

pytestmark = pytest.mark.timeout(60)


class _RecordingClient:
    def __init__(self):
        self.posts = []
        self.sent = threading.Event()

    def post(self, path, json_body=None, **kw):
        self.posts.append((path, json_body))
        self.sent.set()


def test_events_for_status_changes():
    port = {'id': 'p1', 'device_id': 'vm1', 'device_owner': 'compute:nova'}
    assert compute_notifier.event_for(port, 'DOWN', 'ACTIVE') == {
        'name': 'network-vif-plugged', 'server_uuid': 'vm1', 'tag': 'p1',
        'status': 'completed'}
    assert compute_notifier.event_for(port, 'ACTIVE', 'DOWN')['name'] == \
        'network-vif-unplugged'
    assert compute_notifier.event_for(port, 'ACTIVE', 'ACTIVE') is None
    assert compute_notifier.event_for(dict(port, device_owner='network:dhcp'),
                                      'DOWN', 'ACTIVE') is None
    assert compute_notifier.event_for(dict(port, device_id=''), 'DOWN', 'ACTIVE') is None


def test_port_going_active_notifies_compute(api, network_conf_obj):
    core = NetworkState.get(network_conf_obj).core
    recorder = _RecordingClient()
    network_conf_obj.set_override('notify_port_status_changes', True, 'nova')
    core.compute_notifier = compute_notifier.ComputeNotifier(network_conf_obj, recorder)
    admin = api.tokens.admin()
    net = api.ok('POST', '/v2.0/networks', {'network': {}})['network']
    api.ok('POST', '/v2.0/subnets', {'subnet': {'network_id': net['id'],
                                                'cidr': '10.0.0.0/24'}})
    port = api.ok('POST', '/v2.0/ports', {'port': {
        'network_id': net['id'], 'binding:host_id': 'h1', 'device_owner': 'compute:nova',
        'device_id': 'aaaaaaaa-0000-0000-0000-000000000001', 'project_id': 'demo'}},
        token=admin)['port']
    plain = api.ok('POST', '/v2.0/ports', {'port': {'network_id': net['id']}})['port']
    assert core.ports.set_status(plain['id'], 'ACTIVE') is True
    assert core.ports.set_status(port['id'], 'ACTIVE') is True
    assert core.ports.set_status(port['id'], 'ACTIVE') is True     # no change, no event
    assert recorder.sent.wait(10)
    # The background sender batches; give it a moment to drain.
    recorder.sent.clear()
    recorder.sent.wait(1)
    events = [e for _, body in recorder.posts for e in body['events']]
    assert recorder.posts[0][0] == '/os-server-external-events'
    assert events == [{'name': 'network-vif-plugged',
                       'server_uuid': 'aaaaaaaa-0000-0000-0000-000000000001',
                       'tag': port['id'], 'status': 'completed'}]
