"""Quota sets (os-quota-sets) and quota classes (os-quota-class-sets)."""
from common import exceptions
from compute.api import base
from compute.api import schemas
from compute.db import instances
from compute.db import keypairs
from compute.db import quotas
from compute.db import server_groups

# Network quotas kept and shown before 2.36 (classes: 2.50); personality quotas before 2.57.
_NETWORK = tuple(quotas.LEGACY_NETWORK)
_PERSONALITY = ('injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes')


def _resources(req):
    names = list(schemas.QUOTA_RESOURCES)
    if base.at_least(req, '2.57'):
        names = [n for n in names if n not in _PERSONALITY]
    return names


def _shown(req, limits, network_until='2.36'):
    names = _resources(req) + ([] if base.at_least(req, network_until) else list(_NETWORK))
    return {r: limits[r] for r in names}


class QuotaSets(base.Controller):
    def _usage(self, project_id, user_id):
        used = instances.count_usage(self.db, project_id, user_id)
        used['server_groups'] = server_groups.count(self.db, project_id)
        if user_id:
            used['key_pairs'] = keypairs.count(self.db, user_id)
        return used

    def show(self, req, project_id):
        self.authorize(req, 'os-quota-sets:show', {'project_id': project_id})
        limits = quotas.get_limits(self.db, project_id, req.GET.get('user_id'))
        out = _shown(req, limits)
        out['id'] = project_id
        return {'quota_set': out}

    def detail(self, req, project_id):
        self.authorize(req, 'os-quota-sets:detail', {'project_id': project_id})
        user_id = req.GET.get('user_id')
        limits = _shown(req, quotas.get_limits(self.db, project_id, user_id))
        used = self._usage(project_id, user_id)
        out = {r: {'limit': v, 'in_use': used.get(r, 0), 'reserved': 0}
               for r, v in limits.items()}
        out['id'] = project_id
        return {'quota_set': out}

    def defaults(self, req, project_id):
        self.authorize(req, 'os-quota-sets:defaults', {'project_id': project_id})
        out = _shown(req, quotas.class_limits(self.db))
        out['id'] = project_id
        return {'quota_set': out}

    def update(self, req, project_id):
        self.authorize(req, 'os-quota-sets:update', {'project_id': project_id})
        allowed = list(_resources(req)) + ([] if base.at_least(req, '2.36') else list(_NETWORK))
        data = base.body(req, schemas.quota_set(allowed), 'quota_set')
        user_id = req.GET.get('user_id')
        force = schemas.truthy(data.pop('force', False))
        values = {k: int(v) for k, v in data.items()}
        for key, value in values.items():
            if value < -1:
                raise exceptions.BadRequest("Invalid input for field '%s': quota limit must "
                                            "be -1 or greater." % key)
        if not force:
            used = self._usage(project_id, user_id)
            for key, value in values.items():
                if value >= 0 and used.get(key, 0) > value:
                    raise exceptions.BadRequest(
                        'Quota limit %d for %s must be greater than or equal to already used '
                        'and reserved %d.' % (value, key, used[key]))
        quotas.set_limits(self.db, project_id, values, user_id)
        return {'quota_set': _shown(req, quotas.get_limits(self.db, project_id, user_id))}

    def delete(self, req, project_id):
        self.authorize(req, 'os-quota-sets:delete', {'project_id': project_id})
        quotas.delete_limits(self.db, project_id, req.GET.get('user_id'))
        return base.accepted()


class QuotaClassSets(base.Controller):
    def show(self, req, id):
        self.authorize(req, 'os-quota-class-sets:show')
        out = _shown(req, quotas.class_limits(self.db, id), network_until='2.50')
        out['id'] = id
        return {'quota_class_set': out}

    def update(self, req, id):
        self.authorize(req, 'os-quota-class-sets:update')
        allowed = list(_resources(req)) + ([] if base.at_least(req, '2.50') else list(_NETWORK))
        data = base.body(req, schemas.quota_class_set(allowed), 'quota_class_set')
        quotas.set_class_limits(self.db, id, {k: int(v) for k, v in data.items()})
        return {'quota_class_set': _shown(req, quotas.class_limits(self.db, id),
                                          network_until='2.50')}
