"""``/v3/domains/{id}/config[/{group}[/{option}]]`` and ``/v3/domains/config/.../default``:
domain-specific configuration (identity.core.domain_config says what it holds)."""
from common.wsgi import response
from identity.api import base
from identity.core import domain_config

_BODY = {'type': 'object', 'required': ['config'], 'additionalProperties': False,
         'properties': {'config': {'type': 'object', 'minProperties': 1}}}


class DomainConfigController(base.Controller):
    def _authorize(self, req, rule, domain_id):
        self.enforce(req, rule, {'domain': {'id': domain_id}})

    def show(self, req, domain_id, group=None, option=None):
        self._authorize(req, 'identity:get_domain_config', domain_id)
        return {'config': self.store.domain_config(domain_id, group, option)}

    def replace(self, req, domain_id):
        self._authorize(req, 'identity:create_domain_config', domain_id)
        config, created = self.store.replace_domain_config(
            domain_id, self.body(req, _BODY)['config'])
        return response.json_response({'config': config}, status=201 if created else 200)

    def update(self, req, domain_id, group=None, option=None):
        self._authorize(req, 'identity:update_domain_config', domain_id)
        changes = self.body(req, _BODY)['config']
        return {'config': self.store.update_domain_config(domain_id, changes, group, option)}

    def delete(self, req, domain_id, group=None, option=None):
        self._authorize(req, 'identity:delete_domain_config', domain_id)
        self.store.delete_domain_config(domain_id, group, option)

    def default(self, req, group=None, option=None):
        self.enforce(req, 'identity:get_domain_config_default')
        return {'config': domain_config.default(group, option)}
