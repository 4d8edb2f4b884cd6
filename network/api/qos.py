"""``/v2.0/qos/policies/{policy_id}/<type>_rules[/{id}]`` and ``/v2.0/qos/rule-types``:
the rules of a QoS policy. Reading needs only to see the policy; changes follow the
``<action>_policy_<type>_rule`` policies (admin by default, as in Neutron)."""
from common import validation
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from network import exceptions as nexc


class Rules:
    def __init__(self, manager, enforcer, rule_type, create_schema, update_schema):
        self.manager = manager
        self.enforcer = enforcer
        self.rule_type = rule_type          # 'bandwidth_limit' or 'dscp_marking'
        self.member = '%s_rule' % rule_type
        self.schemas = {'create': create_schema, 'update': update_schema}

    def _body(self, req, action):
        body = wsgi_response.json_body(req)
        if set(body) != {self.member} or not isinstance(body[self.member], dict):
            raise nexc.BadRequest("Resource body required: a '%s' object." % self.member)
        validation.validate(self.schemas[action], body[self.member])
        return body[self.member]

    def _authorize(self, ctx, action, policy_id):
        policy = self.manager.show(ctx, policy_id)
        self.enforcer.authorize('%s_policy_%s' % (action, self.member),
                                {'project_id': policy['project_id'],
                                 'tenant_id': policy['project_id']}, ctx)

    def index(self, req, policy_id):
        ctx = middleware.get_context(req)
        return {self.member + 's': self.manager.list_rules(ctx, policy_id, self.rule_type)}

    def show(self, req, policy_id, id):
        ctx = middleware.get_context(req)
        return {self.member: self.manager.show_rule(ctx, policy_id, self.rule_type, id)}

    def create(self, req, policy_id):
        ctx = middleware.get_context(req)
        data = self._body(req, 'create')
        self._authorize(ctx, 'create', policy_id)
        rule = self.manager.create_rule(ctx, policy_id, self.rule_type, data)
        return wsgi_response.json_response({self.member: rule}, status=201)

    def update(self, req, policy_id, id):
        ctx = middleware.get_context(req)
        data = self._body(req, 'update')
        self._authorize(ctx, 'update', policy_id)
        return {self.member: self.manager.update_rule(ctx, policy_id, self.rule_type, id,
                                                      data)}

    def delete(self, req, policy_id, id):
        ctx = middleware.get_context(req)
        self._authorize(ctx, 'delete', policy_id)
        self.manager.delete_rule(ctx, policy_id, self.rule_type, id)


class RuleTypes:
    def index(self, req):
        return {'rule_types': [{'type': 'bandwidth_limit'}, {'type': 'dscp_marking'}]}

    def show(self, req, rule_type):
        if rule_type == 'bandwidth_limit':
            params = [{'parameter_name': 'max_kbps', 'parameter_type': 'range',
                       'parameter_values': {'start': 0, 'end': 2 ** 31 - 1}},
                      {'parameter_name': 'max_burst_kbps', 'parameter_type': 'range',
                       'parameter_values': {'start': 0, 'end': 2 ** 31 - 1}},
                      {'parameter_name': 'direction', 'parameter_type': 'choices',
                       'parameter_values': ['ingress', 'egress']}]
        elif rule_type == 'dscp_marking':
            from network.plugin import qos
            params = [{'parameter_name': 'dscp_mark', 'parameter_type': 'choices',
                       'parameter_values': list(qos.DSCP_MARKS)}]
        else:
            raise nexc.NotFound('QoS rule type %s is not supported.' % rule_type)
        return {'rule_type': {'type': rule_type, 'drivers': [
            {'name': 'bridge', 'supported_parameters': params}]}}
