"""Key pairs (os-keypairs): per user; imported, or generated here before 2.92."""
from common import exceptions
from compute import keypair_crypto
from compute.api import base
from compute.api import schemas
from compute.db import keypairs as db
from compute.db import quotas


class Keypairs(base.Controller):
    def _user(self, req, rule):
        """The user whose key pairs the request is about (admins may name one, 2.10+)."""
        ctx = base.context(req)
        user_id = ctx.user_id
        wanted = req.GET.get('user_id')
        if wanted and base.at_least(req, '2.10'):
            user_id = wanted
        self.authorize(req, rule, {'user_id': user_id})
        return user_id

    def _view(self, req, key, full=False):
        out = {'name': key['name'], 'public_key': key['public_key'],
               'fingerprint': key['fingerprint']}
        if base.at_least(req, '2.2'):
            out['type'] = key['type']
        if full:
            out.update({'user_id': key['user_id'], 'id': key['id'],
                        'created_at': base.iso(key['created_at'], z=False),
                        'updated_at': base.iso(key['updated_at'], z=False),
                        'deleted': False, 'deleted_at': None})
        return out

    def index(self, req):
        user_id = self._user(req, 'os-keypairs:index')
        limit = marker = None
        if base.at_least(req, '2.35'):
            limit, marker = base.limit_marker(req)
        keys = db.list_(self.db, user_id, limit=limit, marker=marker)
        out = {'keypairs': [{'keypair': self._view(req, k)} for k in keys]}
        if base.at_least(req, '2.35'):
            links = self.next_link(req, 'os-keypairs', keys, limit, key='name')
            if links:
                out['keypairs_links'] = links
        return out

    def show(self, req, id):
        user_id = self._user(req, 'os-keypairs:show')
        return {'keypair': self._view(req, db.get(self.db, user_id, id), full=True)}

    def create(self, req):
        ctx = base.context(req)
        schema = schemas.keypair_create(
            generate_allowed=not base.at_least(req, '2.92'),
            with_type=base.at_least(req, '2.2'), with_user=base.at_least(req, '2.10'))
        data = base.body(req, schema, 'keypair')
        user_id = data.get('user_id') or ctx.user_id
        self.authorize(req, 'os-keypairs:create', {'user_id': user_id})
        key_type = data.get('type', 'ssh')
        limit = quotas.get_limits(self.db, ctx.project_id, user_id)['key_pairs']
        if limit >= 0 and db.count(self.db, user_id) >= limit:
            raise exceptions.Forbidden('Quota exceeded, too many key pairs.')
        private = None
        if data.get('public_key'):
            public = data['public_key'].strip()
            fingerprint = keypair_crypto.fingerprint(public, key_type)
        elif key_type == 'x509':
            private, public, fingerprint = keypair_crypto.generate_x509(user_id)
        else:
            private, public, fingerprint = keypair_crypto.generate_ssh()
        key = db.create(self.db, user_id, data['name'], public, fingerprint, key_type)
        out = self._view(req, key)
        out['user_id'] = user_id
        if private is not None:
            out['private_key'] = private
        return base.created({'keypair': out}, status=201 if base.at_least(req, '2.2') else 200)

    def delete(self, req, id):
        user_id = self._user(req, 'os-keypairs:delete')
        db.delete(self.db, user_id, id)
        return None if base.at_least(req, '2.2') else base.accepted()
