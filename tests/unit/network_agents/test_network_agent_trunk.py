"""The bridge agent's trunk wiring: the bridge VLAN filtering commands it issues (this
kernel has no VLAN filtering, so the data path is proven here only)."""
from unittest import mock

from common.execute import CommandError
from network.agents.bridge import trunk

PARENT = '11111111-2222-4333-8444-555555555555'
SUB = '66666666-7777-4888-8999-000000000000'
TAP = 'tap11111111-22'


def parent(vid=100, up=True):
    return {'id': PARENT, 'tap_name': TAP, 'network_id': 'net-a',
            'trunk': {'id': 't', 'admin_state_up': up,
                      'sub_ports': [{'port_id': SUB, 'segmentation_id': vid}]}}


def test_commands_of_one_subport():
    assert trunk.bridge_commands('brqa') == [
        ['ip', 'link', 'set', 'dev', 'brqa', 'type', 'bridge', 'vlan_filtering', '1']]
    assert trunk.create_commands(SUB) == [
        ['ip', 'link', 'add', 'spi66666666-77', 'type', 'veth', 'peer', 'name',
         'tap66666666-77']]
    assert trunk.wire_commands('brqa', TAP, SUB, 100) == [
        ['ip', 'link', 'set', 'dev', 'spi66666666-77', 'master', 'brqa'],
        ['bridge', 'vlan', 'add', 'dev', 'spi66666666-77', 'vid', '100', 'pvid', 'untagged'],
        ['bridge', 'vlan', 'del', 'dev', 'spi66666666-77', 'vid', '1'],
        ['bridge', 'vlan', 'add', 'dev', TAP, 'vid', '100'],
        ['ip', 'link', 'set', 'dev', 'spi66666666-77', 'up'],
        ['ip', 'link', 'set', 'dev', 'tap66666666-77', 'up']]
    assert trunk.unwire_commands(TAP, SUB, 100) == [
        ['bridge', 'vlan', 'del', 'dev', TAP, 'vid', '100'],
        ['ip', 'link', 'del', 'spi66666666-77']]


def _apply(driver, ports, exists=False, fail=None):
    issued = []

    def run(cmd, check=True):
        issued.append(cmd)
        if fail and cmd[:len(fail)] == fail:
            raise CommandError(cmd, 2, '', 'RTNETLINK answers: Operation not supported')
        return ''
    with mock.patch.object(trunk, 'execute', side_effect=run), \
            mock.patch.object(trunk.ip_lib, 'link_exists', return_value=exists):
        ready = driver.apply(ports, {'net-a': 'brqa'})
    return ready, issued


def test_driver_wires_changes_and_unwires():
    driver = trunk.TrunkDriver()
    ready, issued = _apply(driver, [parent()])
    assert ready == {SUB}
    assert issued == (trunk.bridge_commands('brqa') + trunk.create_commands(SUB) +
                      trunk.wire_commands('brqa', TAP, SUB, 100))
    # the veth exists already: no second create
    ready, issued = _apply(driver, [parent()], exists=True)
    assert ['ip', 'link', 'add'] not in [c[:3] for c in issued]
    # a new VLAN id: the old one is taken off first
    ready, issued = _apply(driver, [parent(vid=200)], exists=True)
    assert issued[:2] == trunk.unwire_commands(TAP, SUB, 100)
    assert ['bridge', 'vlan', 'add', 'dev', TAP, 'vid', '200'] in issued
    # trunk down or gone: unwired, nothing wired
    ready, issued = _apply(driver, [parent(vid=200, up=False)], exists=True)
    assert ready == set() and issued == trunk.unwire_commands(TAP, SUB, 200)
    ready, issued = _apply(driver, [], exists=True)
    assert issued == [] and driver.applied == {}


def test_no_vlan_filtering_leaves_the_subport_down_and_logs_once(caplog):
    driver = trunk.TrunkDriver()
    for _ in range(2):
        ready, issued = _apply(driver, [parent()], fail=['ip', 'link', 'set', 'dev', 'brqa'])
        assert ready == set() and len(issued) == 1
    assert sum('VLAN filtering' in r.getMessage() for r in caplog.records) == 1


def _converge(monkeypatch, wired):
    from network.agents.bridge import datapath
    dp = datapath.BridgeDatapath({})
    order = []
    monkeypatch.setattr(datapath.plug, 'ensure_network_bridge',
                        lambda net, mappings: 'brq' + net['id'])
    monkeypatch.setattr(dp, '_plug', lambda port, br: order.append(('plug', port['id'], br))
                        or 'ACTIVE')
    monkeypatch.setattr(dp, '_firewall',
                        lambda ports: order.append(('firewall', [p['id'] for p in ports])))
    monkeypatch.setattr(dp.qos, 'apply', lambda ports: True)
    monkeypatch.setattr(dp.trunks, 'apply', lambda ports, bridges: order.append(
        ('trunk', [p['id'] for p in ports])) or wired)
    monkeypatch.setattr(dp, '_remove_stale_bridges', lambda wanted: None)
    state = {'networks': [{'id': 'a'}, {'id': 'b'}],
             'ports': [{'id': SUB, 'network_id': 'b', 'device_owner': 'trunk:subport',
                        'tap_name': 'tap66666666-77'}, dict(parent(), network_id='a')]}
    return dp.converge(state), order


def test_bridge_datapath_plugs_a_subport_after_wiring_its_trunk(monkeypatch):
    statuses, order = _converge(monkeypatch, {SUB})
    assert order == [('plug', PARENT, 'brqa'), ('trunk', [PARENT]), ('plug', SUB, 'brqb'),
                     ('firewall', [PARENT, SUB])]
    assert statuses == {SUB: 'ACTIVE', PARENT: 'ACTIVE'}
    # without VLAN filtering the subport is not plugged and stays DOWN
    statuses, order = _converge(monkeypatch, set())
    assert ('plug', SUB, 'brqb') not in order and statuses[SUB] == 'DOWN'
    assert order[-1] == ('firewall', [PARENT])
