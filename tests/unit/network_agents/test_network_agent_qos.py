"""The bridge agent's QoS: tc and mangle rules it issues for a port's policy."""
from unittest import mock

from network.agents.bridge import qos

TAP = 'tap0123456789a'


def port(bw=None, dscp=None):
    return {'id': 'p', 'tap_name': TAP,
            'qos': {'bandwidth_limit': bw or {}, 'dscp_mark': dscp}}


def test_shape_toward_the_guest_with_tbf():
    assert qos.shape_commands(TAP, {'max_kbps': 1000, 'max_burst_kbps': 800}) == [
        ['tc', 'qdisc', 'replace', 'dev', TAP, 'root', 'tbf', 'rate', '1000kbit',
         'burst', '100000b', 'latency', '50ms']]
    # no burst given: 80% of the rate for a second; tiny rates keep a few frames
    assert qos.burst_bytes({'max_kbps': 1000, 'max_burst_kbps': 0}) == 100000
    assert qos.burst_bytes({'max_kbps': 8, 'max_burst_kbps': 0}) == qos.MIN_BURST_BYTES
    assert qos.shape_commands(TAP, None) == [['tc', 'qdisc', 'del', 'dev', TAP, 'root']]


def test_police_from_the_guest_on_the_ingress_qdisc():
    cmds = qos.police_commands(TAP, {'max_kbps': 2000, 'max_burst_kbps': 160})
    assert cmds[0] == ['tc', 'qdisc', 'replace', 'dev', TAP, 'ingress']
    assert cmds[1][:6] == ['tc', 'filter', 'replace', 'dev', TAP, 'parent']
    assert 'police' in cmds[1] and '2000kbit' in cmds[1] and '20000b' in cmds[1]
    assert qos.police_commands(TAP, None) == [['tc', 'qdisc', 'del', 'dev', TAP, 'ingress']]


def test_dscp_chain():
    chains, jumps = qos.dscp_chains([port(dscp=26), port(), dict(port(dscp=0),
                                                                 tap_name='tapother')], 'cs')
    assert chains == {'cs-qos': [
        '-m physdev --physdev-in %s --physdev-is-bridged -j DSCP --set-dscp 26' % TAP,
        '-m physdev --physdev-in tapother --physdev-is-bridged -j DSCP --set-dscp 0']}
    assert jumps == [('POSTROUTING', '-j cs-qos')]
    assert qos.dscp_chains([port()], 'cs') == ({}, [])


def test_driver_applies_changes_once_and_survives_missing_police():
    managers = {4: mock.Mock(), 6: mock.Mock()}
    driver = qos.QosDriver('cs', managers)
    calls = []

    def fake_execute(cmd, check=True, **_kw):
        calls.append(cmd)
        if cmd[:2] == ['tc', 'filter']:
            raise qos.CommandError(cmd, 2, '', 'Error: Specified action not found.')
        if cmd[:3] == ['tc', 'qdisc', 'show']:
            return 'qdisc tbf 8001: root refcnt 2 rate 1Mbit'
        return ''
    limited = port(bw={'ingress': {'max_kbps': 1000, 'max_burst_kbps': 0},
                       'egress': {'max_kbps': 1000, 'max_burst_kbps': 0}}, dscp=10)
    with mock.patch.object(qos, 'execute', fake_execute):
        assert driver.apply([limited]) is True          # police missing: logged, not failed
        assert ['tc', 'qdisc', 'replace', 'dev', TAP, 'root', 'tbf', 'rate', '1000kbit',
                'burst', '100000b', 'latency', '50ms'] in calls
        managers[4].apply.assert_called_once()
        calls.clear()
        assert driver.apply([limited]) is True          # nothing changed: only a look
        assert calls == [['tc', 'qdisc', 'show', 'dev', TAP]]
        calls.clear()
        driver.apply([port()])                          # policy removed
        assert ['tc', 'qdisc', 'del', 'dev', TAP, 'root'] in calls
        assert ['tc', 'qdisc', 'del', 'dev', TAP, 'ingress'] in calls
        managers[4].apply.assert_called_with('mangle', {}, [])
