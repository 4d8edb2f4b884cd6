"""Server groups (os-server-groups): affinity policies the scheduler applies."""
from common import exceptions
from compute.api import base
from compute.api import schemas
from compute.db import quotas
from compute.db import server_groups as db


class ServerGroups(base.Controller):
    def _view(self, req, group):
        out = {'id': group['uuid'], 'name': group['name'], 'members': group['members']}
        if base.at_least(req, '2.64'):
            out['policy'] = group['policy']
            out['rules'] = group['rules']
        else:
            out['policies'] = [group['policy']]
            out['metadata'] = {}
        if base.at_least(req, '2.13'):
            out['project_id'] = group['project_id']
            out['user_id'] = group['user_id']
        return out

    def index(self, req):
        ctx = self.authorize(req, 'os-server-groups:index')
        project_id = ctx.project_id
        if base.bool_param(req, 'all_projects', False) and self.allowed(
                req, 'os-server-groups:index:all_projects'):
            project_id = None
        limit = base.int_param(req, 'limit', None)
        offset = base.int_param(req, 'offset', None)
        return {'server_groups': [self._view(req, g) for g in db.list_(
            self.db, project_id, limit=limit, offset=offset)]}

    def show(self, req, id):
        ctx = self.authorize(req, 'os-server-groups:show')
        return {'server_group': self._view(req, db.get(self.db, id, ctx))}

    def create(self, req):
        ctx = self.authorize(req, 'os-server-groups:create')
        new_style = base.at_least(req, '2.64')
        data = base.body(req, schemas.server_group_create(new_style), 'server_group')
        policy = data['policy'] if new_style else data['policies'][0]
        rules = {k: int(v) for k, v in (data.get('rules') or {}).items()}
        if rules and policy != 'anti-affinity':
            raise exceptions.BadRequest('Only anti-affinity policy supports rules.')
        limit = quotas.get_limits(self.db, ctx.project_id)['server_groups']
        if limit >= 0 and db.count(self.db, ctx.project_id) >= limit:
            raise exceptions.Forbidden('Quota exceeded, too many server groups.')
        group = db.create(self.db, ctx.project_id, ctx.user_id, data['name'], policy, rules)
        return {'server_group': self._view(req, group)}

    def delete(self, req, id):
        ctx = self.authorize(req, 'os-server-groups:delete')
        db.delete(self.db, id, ctx)
        return None
