"""What the agents tell network-api about the ports they plug, and how they take a bridge
that another agent removed in the middle of their work."""
import uuid

import pytest

from network.agents.bridge import datapath as bridge_datapath
from network.agents.common import agent as agent_mod
from network.agents.common import bridge
from network.agents.l3 import agent as l3_agent
from network.agents.l3 import datapath as l3_datapath

ROUTER, ITF, GW, NET = (str(uuid.UUID(hex=d * 32)) for d in '1234')


class _Plugin:
    def __init__(self, fail_once=()):
        self.calls, self.fail_once = [], set(fail_once)

    def update_port_status(self, ctx, port_id, status, host):
        if port_id in self.fail_once:
            self.fail_once.discard(port_id)
            raise RuntimeError('network-api unreachable')
        self.calls.append((port_id, status, host))
        return True


def _agent(plugin):
    conf = type('Conf', (), {'host': 'h1', 'report_interval': 10})()
    agent = agent_mod.Agent(conf, plugin_api=plugin)
    return agent


def test_only_changes_are_reported_and_a_failed_report_is_retried():
    plugin = _Plugin(fail_once={GW})
    agent = _agent(plugin)
    agent.report_port_statuses({ITF: 'ACTIVE', GW: 'ACTIVE'})
    assert plugin.calls == [(ITF, 'ACTIVE', 'h1')]
    agent.report_port_statuses({ITF: 'ACTIVE', GW: 'ACTIVE'})
    assert plugin.calls == [(ITF, 'ACTIVE', 'h1'), (GW, 'ACTIVE', 'h1')]
    # a port that left and came back is reported again
    agent.report_port_statuses({GW: 'ACTIVE'})
    agent.report_port_statuses({ITF: 'ACTIVE', GW: 'ACTIVE'})
    assert plugin.calls[-1] == (ITF, 'ACTIVE', 'h1')


def _router(admin_state_up=True):
    return {'id': ROUTER, 'admin_state_up': admin_state_up,
            'interfaces': [{'id': ITF, 'network_id': NET}], 'gw_port': {'id': GW}}


def test_l3_agent_reports_router_ports_active_once_plugged(monkeypatch, tmp_path):
    plugin = _Plugin()
    conf = type('Conf', (), {'host': 'h1', 'report_interval': 10})()
    agent = agent_mod.Agent.__new__(l3_agent.L3Agent)
    agent_mod.Agent.__init__(agent, conf, plugin_api=plugin)
    agent.routers = 0
    agent.datapath = l3_datapath.L3Datapath(str(tmp_path), {})
    enabled = []
    monkeypatch.setattr(agent.datapath, 'enable', lambda router: enabled.append(router['id']))
    agent.converge({'routers': [_router()]})
    assert enabled == [ROUTER]
    assert sorted(plugin.calls) == sorted([(ITF, 'ACTIVE', 'h1'), (GW, 'ACTIVE', 'h1')])
    # an administratively disabled router keeps its ports plugged (down inside its
    # namespace): they stay ACTIVE, as Neutron shows them, and tempest waits for that
    agent.converge({'routers': [_router(admin_state_up=False)]})
    assert enabled == [ROUTER, ROUTER]
    assert plugin.calls[2:] == []


def test_disabled_router_has_its_namespace_ends_down(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(l3_datapath.plug, 'attach', lambda net, m, dev: 'brq1')
    monkeypatch.setattr(l3_datapath.ip_lib, 'ensure_veth',
                        lambda host, dev, ns, mac=None, mtu=None, up=True:
                        calls.append((dev, up)))
    dp = l3_datapath.L3Datapath(str(tmp_path), {})
    router = {'id': ROUTER, 'admin_state_up': False,
              'interfaces': [{'id': ITF, 'network_id': NET, 'mac_address': 'fa:16:3e:0:0:1',
                              'network': {'id': NET}}]}
    dp._plug(router['interfaces'][0], 'qr-' + ITF[:11], 'qrouter-x', up=False)
    assert calls == [('qr-' + ITF[:11], False)]


def test_l3_router_that_fails_to_set_up_leaves_its_ports_down(monkeypatch, tmp_path):
    dp = l3_datapath.L3Datapath(str(tmp_path), {})

    def broken(router):
        raise OSError('ip: RTNETLINK answers: File exists')
    monkeypatch.setattr(dp, 'enable', broken)
    assert dp.converge({'routers': [_router()]}) == {ITF: 'DOWN', GW: 'DOWN'}
    assert dp.failed


def test_bridge_removed_by_another_agent_meanwhile_is_not_an_error(monkeypatch):
    present = {'brqgone': True}

    def set_down(name):
        present[name] = False           # the other agent won the race
        raise RuntimeError('Cannot find device "%s"' % name)
    monkeypatch.setattr(bridge, 'exists', lambda name: present.get(name, False))
    monkeypatch.setattr(bridge.ip_lib, 'set_down', set_down)
    monkeypatch.setattr(bridge_datapath.plug.bridge, 'interfaces', lambda name: [])
    dp = bridge_datapath.BridgeDatapath({})
    dp.owned_bridges = {'brqgone'}
    dp._remove_stale_bridges(set())
    assert dp.owned_bridges == set()


def test_a_bridge_removed_before_the_device_joined_is_made_again(monkeypatch):
    """Another agent deletes a bridge it finds empty: one made for a router or DHCP port
    may vanish before the port's device is on it."""
    from network.agents.common import plug
    made, exists = [], {'now': True}

    def ensure(name, mtu=None):
        made.append(name)
        exists['now'] = True

    def enslave(name, dev):
        if len(made) == 1:
            exists['now'] = False       # the other agent won the race
            raise RuntimeError('Device does not exist')
    monkeypatch.setattr(plug.bridge, 'ensure', ensure)
    monkeypatch.setattr(plug.bridge, 'enslave', enslave)
    monkeypatch.setattr(plug.bridge, 'exists', lambda name: exists['now'])
    assert plug.attach({'id': NET}, {}, 'tapx') == 'brq' + NET[:11]
    assert len(made) == 2
    # a failure while the bridge is still there is not hidden
    made.clear()
    monkeypatch.setattr(plug.bridge, 'enslave',
                        lambda name, dev: (_ for _ in ()).throw(RuntimeError('busy')))
    with pytest.raises(RuntimeError):
        plug.attach({'id': NET}, {}, 'tapx')
    assert len(made) == 1
