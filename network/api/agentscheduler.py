"""Agent scheduling (dhcp_agent_scheduler, l3_agent_scheduler), admin only:
``/v2.0/agents/{id}/dhcp-networks[/{network_id}]``, ``/v2.0/networks/{id}/dhcp-agents``,
``/v2.0/agents/{id}/l3-routers[/{router_id}]``, ``/v2.0/routers/{id}/l3-agents``."""
from common import validation
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from network import exceptions as nexc
from network.api import schemas


class AgentScheduling:
    """One kind: ``hosted`` ('dhcp-network' / 'l3-router'), the body key naming what is
    added (``network_id`` / ``router_id``) and the scheduler's calls for it."""

    def __init__(self, enforcer, hosted, collection, key, hosted_list, agents_of, add,
                 remove):
        self.enforcer = enforcer
        self.hosted = hosted            # e.g. 'dhcp-network' (policy names)
        self.collection = collection    # e.g. 'networks'
        self.key = key
        self.schema = schemas.scheduling_body(key)
        self.hosted_list, self.agents_of = hosted_list, agents_of
        self.add, self.remove = add, remove
        self.agents_rule = 'get_%s' % ('dhcp-agents' if hosted == 'dhcp-network'
                                       else 'l3-agents')

    def _ctx(self, req, rule):
        ctx = middleware.get_context(req)
        self.enforcer.authorize(rule, {}, ctx)
        return ctx

    def index(self, req, id):
        ctx = self._ctx(req, 'get_%ss' % self.hosted)
        return {self.collection: self.hosted_list(ctx, id)}

    def create(self, req, id):
        ctx = self._ctx(req, 'create_%s' % self.hosted)
        body = wsgi_response.json_body(req)
        if not isinstance(body, dict):
            raise nexc.BadRequest("Request body required: an object with '%s'." % self.key)
        validation.validate(self.schema, body)
        self.add(ctx, id, body[self.key])
        return wsgi_response.json_response({}, status=201)

    def delete(self, req, id, hosted_id):
        ctx = self._ctx(req, 'delete_%s' % self.hosted)
        self.remove(ctx, id, hosted_id)
        return None

    def agents(self, req, id):
        ctx = self._ctx(req, self.agents_rule)
        return {'agents': self.agents_of(ctx, id)}


def add_routes(r, prefix, core, enforcer):
    sched = core.scheduler
    for hosted, collection, key, parent, agents_path, calls in (
            ('dhcp-network', 'networks', 'network_id', 'networks', 'dhcp-agents',
             (sched.dhcp_networks, sched.network_dhcp_agents, sched.add_dhcp_network,
              sched.remove_dhcp_network)),
            ('l3-router', 'routers', 'router_id', 'routers', 'l3-agents',
             (sched.l3_routers, sched.router_l3_agents, sched.add_l3_router,
              sched.remove_l3_router))):
        ctrl = AgentScheduling(enforcer, hosted, collection, key, *calls)
        path = '%s/agents/{id}/%ss' % (prefix, hosted)
        r.add(path, ctrl, {'GET': 'index', 'POST': 'create'})
        r.add(path + '/{hosted_id}', ctrl, {'DELETE': 'delete'})
        r.add('%s/%s/{id}/%s' % (prefix, parent, agents_path), ctrl, {'GET': 'agents'})
