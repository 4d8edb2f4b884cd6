"""Which DHCP agent serves which network and which L3 agent which router
(dhcp_agent_scheduler, l3_agent_scheduler).

A network with DHCP subnets (a router) that was never placed goes to the first live,
admin-up agent of its kind that asks for its state; after that only an admin moves it,
so a network an admin takes off every DHCP agent stays off (its dnsmasq stops) until it
is added back. A router is served by one L3 agent at most. Every change is a
``resources_changed`` cast, so the agents resync at once.
"""
import sqlalchemy as sa

from common import context as context_mod
from common.db import types
from network import exceptions as nexc
from network import rpcapi
from network.db import models
from network.plugin import availabilityzones
from network.plugin import hoststate

NB = models.NetworkDhcpAgentBinding
RB = models.RouterL3AgentBinding


class Scheduler:
    def __init__(self, core_):
        self.core = core_
        self.admin = context_mod.RequestContext.admin_context()

    # the agents' side: what one host serves -------------------------------------------
    def agent_for(self, sess, host, agent_type):
        """The agent row of ``host``; an agent asking for its state before its first
        heartbeat is recorded now, so what it is given is bound to it."""
        row = sess.scalar(sa.select(models.Agent).where(models.Agent.agent_type == agent_type,
                                                        models.Agent.host == host))
        if row is None:
            now = types.utcnow()
            row = models.Agent(agent_type=agent_type, host=host, created_at=now,
                               started_at=now, heartbeat_timestamp=now,
                               binary='network-%s-agent' % rpcapi.AGENT_SHORT[agent_type],
                               topic=rpcapi.agent_topic(agent_type), configurations={})
            sess.add(row)
            sess.flush()
        return row

    def dhcp_network_ids(self, sess, host, candidates):
        """Of ``candidates`` (networks with DHCP subnets), the ids ``host``'s DHCP agent
        serves, placing the never-placed ones on it first."""
        agent = self.agent_for(sess, host, rpcapi.AGENT_DHCP)
        if agent.admin_state_up:
            for net in candidates:
                hints = availabilityzones.hints_of(net)
                if not net.dhcp_scheduled and (not hints or agent.availability_zone in hints):
                    net.dhcp_scheduled = True
                    sess.add(NB(network_id=net.id, agent_id=agent.id))
            sess.flush()
        return set(sess.scalars(sa.select(NB.network_id).where(NB.agent_id == agent.id)))

    def l3_router_ids(self, sess, host, routers):
        """Of ``routers``, the ids ``host``'s L3 agent serves (placing new ones)."""
        agent = self.agent_for(sess, host, rpcapi.AGENT_L3)
        if agent.admin_state_up:
            for router in routers:
                hints = availabilityzones.hints_of(router)
                if not router.l3_scheduled and (not hints or
                                                agent.availability_zone in hints):
                    router.l3_scheduled = True
                    sess.add(RB(router_id=router.id, agent_id=agent.id))
            sess.flush()
        return set(sess.scalars(sa.select(RB.router_id).where(RB.agent_id == agent.id)))

    def schedule_network(self, network_id):
        """Place a network that just got a DHCP subnet on the live, admin-up DHCP agent
        (of its hinted zones) serving the fewest networks, so the API shows its agent at
        once; without such an agent the first one to ask takes it."""
        def run(sess):
            net = sess.get(models.Network, network_id)
            if net is None or net.dhcp_scheduled:
                return False
            hints = availabilityzones.hints_of(net)
            load = sa.select(sa.func.count()).where(NB.agent_id == models.Agent.id) \
                .scalar_subquery()
            stmt = sa.select(models.Agent).where(
                models.Agent.agent_type == rpcapi.AGENT_DHCP,
                models.Agent.admin_state_up.is_(True),
                self.core.agents.alive_clause(True)).order_by(load, models.Agent.host)
            if hints:
                stmt = stmt.where(models.Agent.availability_zone.in_(hints))
            agent = sess.scalars(stmt.limit(1)).first()
            if agent is None:
                return False
            net.dhcp_scheduled = True
            sess.add(NB(network_id=net.id, agent_id=agent.id))
            sess.flush()
            return True
        if self.core.transaction(run):
            self.core.notify(self.admin, [('network', [network_id])])

    # the API's side ----------------------------------------------------------------
    def _agent(self, sess, agent_id, agent_type, error):
        row = self.core.agents.get_row(sess, agent_id)
        if row.agent_type != agent_type:
            raise error('Agent %s is not a valid %s.' % (agent_id, agent_type))
        return row

    def _agents(self, sess, ids):
        rows = sess.scalars(sa.select(models.Agent).where(models.Agent.id.in_(ids))
                            .order_by(models.Agent.host)) if ids else []
        return [self.core.agents.to_dict(r) for r in rows]

    def dhcp_networks(self, ctx, agent_id):
        def run(sess):
            agent = self._agent(sess, agent_id, rpcapi.AGENT_DHCP, nexc.InvalidDHCPAgent)
            rows = sess.scalars(sa.select(models.Network).join(
                NB, NB.network_id == models.Network.id).where(NB.agent_id == agent.id)
                .order_by(models.Network.id))
            return [self.core.networks.to_dict(sess, r) for r in rows]
        return self.core.transaction(run)

    def network_dhcp_agents(self, ctx, network_id):
        def run(sess):
            net = self.core.networks.get_row(sess, ctx, network_id)
            return self._agents(sess, list(sess.scalars(sa.select(NB.agent_id).where(
                NB.network_id == net.id))))
        return self.core.transaction(run)

    def add_dhcp_network(self, ctx, agent_id, network_id):
        def run(sess):
            agent = self._agent(sess, agent_id, rpcapi.AGENT_DHCP, nexc.InvalidDHCPAgent)
            if not agent.admin_state_up:
                raise nexc.InvalidDHCPAgent('Agent %s is not a valid DHCP Agent or has been '
                                            'disabled.' % agent_id)
            net = self.core.networks.get_row(sess, ctx, network_id)
            if sess.get(NB, (net.id, agent.id)) is not None:
                raise nexc.NetworkHostedByDHCPAgent('The network %s has been already hosted '
                                                    'by the DHCP Agent %s.' % (net.id,
                                                                               agent.id))
            net.dhcp_scheduled = True
            sess.add(NB(network_id=net.id, agent_id=agent.id))
            sess.flush()
            return net.id
        self.core.notify(self.admin, [('network', [self.core.transaction(run)])])

    def remove_dhcp_network(self, ctx, agent_id, network_id):
        def run(sess):
            agent = self._agent(sess, agent_id, rpcapi.AGENT_DHCP, nexc.InvalidDHCPAgent)
            binding = sess.get(NB, (network_id, agent.id)) \
                if isinstance(network_id, str) else None
            if binding is None:
                raise nexc.NetworkNotHostedByDhcpAgent('The network %s is not hosted by the '
                                                       'DHCP agent %s.' % (network_id,
                                                                           agent.id))
            sess.delete(binding)
            # The agent's DHCP port goes too: it would hold an address and answer nothing.
            port = sess.scalar(sa.select(models.Port).where(
                models.Port.network_id == network_id,
                models.Port.device_id == hoststate.dhcp_device_id(agent.host, network_id)))
            if port is not None:
                sess.delete(port)
                return [port.id]
            return []
        port_ids = self.core.transaction(run)
        self.core.notify(self.admin, [('network', [network_id]), ('port', port_ids)])

    def l3_routers(self, ctx, agent_id):
        def run(sess):
            agent = self._agent(sess, agent_id, rpcapi.AGENT_L3, nexc.InvalidL3Agent)
            rows = sess.scalars(sa.select(models.Router).join(
                RB, RB.router_id == models.Router.id).where(RB.agent_id == agent.id)
                .order_by(models.Router.id))
            return [self.core.routers.to_dict(sess, r) for r in rows]
        return self.core.transaction(run)

    def router_l3_agents(self, ctx, router_id):
        def run(sess):
            router = self.core.routers.get_row(sess, ctx, router_id)
            return self._agents(sess, list(sess.scalars(sa.select(RB.agent_id).where(
                RB.router_id == router.id))))
        return self.core.transaction(run)

    def add_l3_router(self, ctx, agent_id, router_id):
        def run(sess):
            agent = self._agent(sess, agent_id, rpcapi.AGENT_L3, nexc.InvalidL3Agent)
            if not agent.admin_state_up:
                raise nexc.InvalidL3Agent('Agent %s is not a L3 Agent or has been disabled.'
                                          % agent_id)
            router = self.core.routers.get_row(sess, ctx, router_id)
            current = sess.get(RB, router.id)
            if current is not None and current.agent_id == agent.id:
                return router.id        # already there: nothing to do (as Neutron answers)
            if current is not None:
                raise nexc.RouterHostedByL3Agent('The router %s has been already hosted by '
                                                 'the L3 Agent %s.' % (router.id,
                                                                       current.agent_id))
            router.l3_scheduled = True
            sess.add(RB(router_id=router.id, agent_id=agent.id))
            sess.flush()
            return router.id
        self.core.notify(self.admin, [('router', [self.core.transaction(run)])])

    def remove_l3_router(self, ctx, agent_id, router_id):
        def run(sess):
            agent = self._agent(sess, agent_id, rpcapi.AGENT_L3, nexc.InvalidL3Agent)
            binding = sess.get(RB, router_id) if isinstance(router_id, str) else None
            if binding is None or binding.agent_id != agent.id:
                raise nexc.RouterNotHostedByL3Agent('The router %s is not hosted by L3 agent '
                                                    '%s.' % (router_id, agent.id))
            sess.delete(binding)
        self.core.transaction(run)
        self.core.notify(self.admin, [('router', [router_id])])
