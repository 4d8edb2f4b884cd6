"""Flavors, their extra specs (os-flavor-extra-specs) and access (os-flavor-access)."""
import uuid

from common import exceptions
from common import validation
from common import validators
from compute.api import base
from compute.api import schemas
from compute.db import flavors as db


def _int(value, field, minimum):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise exceptions.BadRequest("Invalid input for field '%s': %s is not an integer."
                                    % (field, validators.quote(value)))
    if number < minimum or number > 2147483647:
        raise exceptions.BadRequest("Invalid input for field '%s': must be between %d and "
                                    "2147483647." % (field, minimum))
    return number


class Flavors(base.Controller):
    def view(self, req, flavor, detail=True):
        out = {'id': flavor['flavorid'], 'name': flavor['name'],
               'links': self.links(req, 'flavors', flavor['flavorid'])}
        if base.at_least(req, '2.55'):
            out['description'] = flavor['description']
        if not detail:
            return out
        swap = flavor['swap']
        out.update({
            'ram': flavor['memory_mb'], 'disk': flavor['root_gb'], 'vcpus': flavor['vcpus'],
            'swap': swap if swap or base.at_least(req, '2.75') else '',
            'OS-FLV-EXT-DATA:ephemeral': flavor['ephemeral_gb'],
            'OS-FLV-DISABLED:disabled': flavor['disabled'],
            'os-flavor-access:is_public': flavor['is_public'],
            'rxtx_factor': flavor['rxtx_factor']})
        if base.at_least(req, '2.61') and self.allowed(req, 'os-flavor-extra-specs:index'):
            out['extra_specs'] = flavor['extra_specs']
        return out

    def _list(self, req, detail):
        ctx = base.context(req)
        is_public = True
        if ctx.is_admin:
            raw = req.GET.get('is_public')
            if raw is not None and raw.lower() == 'none':
                is_public = None
            elif raw is not None:
                is_public = validation.query_bool(req, 'is_public')
        sort_key = req.GET.get('sort_key', 'flavorid')
        if sort_key not in db.SORT_KEYS:
            raise exceptions.BadRequest('Invalid sort_key %s.' % validators.quote(sort_key))
        sort_dir = req.GET.get('sort_dir', 'asc')
        if sort_dir not in ('asc', 'desc'):
            raise exceptions.BadRequest('Invalid sort_dir %s.' % validators.quote(sort_dir))
        limit, marker = base.limit_marker(req)
        rows = db.list_(self.db, ctx, is_public=is_public,
                        min_ram=base.int_param(req, 'minRam'),
                        min_disk=base.int_param(req, 'minDisk'), sort_key=sort_key,
                        sort_dir=sort_dir, limit=limit, marker=marker)
        return self.page(req, 'flavors', 'flavors/detail' if detail else 'flavors',
                         [self.view(req, f, detail) for f in rows], limit)

    def index(self, req):
        return self._list(req, False)

    def detail(self, req):
        return self._list(req, True)

    def show(self, req, id):
        return {'flavor': self.view(req, db.get_by_flavorid(self.db, id, base.context(req)))}

    def create(self, req):
        self.authorize(req, 'os-flavor-manage:create')
        data = base.body(req, schemas.FLAVOR_CREATE, 'flavor')
        if 'description' in data and not base.at_least(req, '2.55'):
            raise exceptions.BadRequest("Invalid input for field 'flavor': 'description' "
                                        "needs microversion 2.55.")
        flavorid = data.get('id')
        flavorid = str(uuid.uuid4()) if flavorid is None or flavorid == '' else str(flavorid)
        values = {
            'name': data['name'], 'flavorid': flavorid,
            'memory_mb': _int(data['ram'], 'ram', 1), 'vcpus': _int(data['vcpus'], 'vcpus', 1),
            'root_gb': _int(data['disk'], 'disk', 0),
            'ephemeral_gb': _int(data.get('OS-FLV-EXT-DATA:ephemeral', 0),
                                 'OS-FLV-EXT-DATA:ephemeral', 0),
            'swap': _int(data.get('swap', 0) or 0, 'swap', 0),
            'rxtx_factor': float(data.get('rxtx_factor', 1.0)),
            'is_public': schemas.truthy(data.get('os-flavor-access:is_public', True)),
            'description': data.get('description')}
        flavor = db.create(self.db, values)
        return {'flavor': self.view(req, flavor)}

    def update(self, req, id):
        if not base.at_least(req, '2.55'):
            raise exceptions.MethodNotAllowed('Updating a flavor needs microversion 2.55.')
        self.authorize(req, 'os-flavor-manage:update')
        data = base.body(req, schemas.FLAVOR_UPDATE, 'flavor')
        flavor = db.update(self.db, base.context(req), id,
                           {'description': data['description']})
        return {'flavor': self.view(req, flavor)}

    def delete(self, req, id):
        self.authorize(req, 'os-flavor-manage:delete')
        db.delete(self.db, base.context(req), id)
        return base.accepted()

    # extra specs ---------------------------------------------------------------
    def _flavor(self, req, flavor_id):
        return db.get_by_flavorid(self.db, flavor_id, base.context(req))

    def specs_index(self, req, flavor_id):
        self.authorize(req, 'os-flavor-extra-specs:index')
        return {'extra_specs': self._flavor(req, flavor_id)['extra_specs']}

    def specs_show(self, req, flavor_id, key):
        self.authorize(req, 'os-flavor-extra-specs:show')
        specs = self._flavor(req, flavor_id)['extra_specs']
        if key not in specs:
            raise exceptions.NotFound('Flavor %s has no extra specs with key %s.'
                                      % (flavor_id, key))
        return {key: specs[key]}

    def specs_create(self, req, flavor_id):
        self.authorize(req, 'os-flavor-extra-specs:create')
        specs = base.body(req, schemas.EXTRA_SPECS, 'extra_specs')
        specs = {k: str(v) if not isinstance(v, bool) else str(v) for k, v in specs.items()}
        db.set_extra_specs(self.db, base.context(req), flavor_id, specs)
        return {'extra_specs': specs}

    def specs_update(self, req, flavor_id, key):
        self.authorize(req, 'os-flavor-extra-specs:update')
        data = base.body(req, schemas.EXTRA_SPEC_ITEM)
        if key not in data:
            raise exceptions.BadRequest('Request body and URI mismatch')
        db.set_extra_specs(self.db, base.context(req), flavor_id, {key: str(data[key])})
        return {key: str(data[key])}

    def specs_delete(self, req, flavor_id, key):
        self.authorize(req, 'os-flavor-extra-specs:delete')
        db.delete_extra_spec(self.db, base.context(req), flavor_id, key)
        return base.ok_without_body()

    # access --------------------------------------------------------------------
    def _access(self, flavor_id, projects):
        return {'flavor_access': [{'flavor_id': flavor_id, 'tenant_id': p}
                                  for p in projects]}

    def access_index(self, req, flavor_id):
        ctx = self.authorize(req, 'os-flavor-access')
        return self._access(flavor_id, db.access(self.db, ctx, flavor_id))

    def action(self, req, id):
        data = base.body(req, schemas.FLAVOR_ACCESS)
        ctx = base.context(req)
        if 'addTenantAccess' in data:
            self.authorize(req, 'os-flavor-access:add_tenant_access')
            db.add_access(self.db, ctx, id, data['addTenantAccess']['tenant'])
        else:
            self.authorize(req, 'os-flavor-access:remove_tenant_access')
            db.remove_access(self.db, ctx, id, data['removeTenantAccess']['tenant'])
        return self._access(id, db.access(self.db, ctx, id))
