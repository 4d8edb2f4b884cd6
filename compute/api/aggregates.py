"""Host aggregates (os-aggregates, admin only): CRUD, add/remove host, metadata.  An
aggregate's availability zone becomes its hosts' zone (compute.db.aggregates)."""
import re

from common import exceptions
from common import validation
from compute.api import base
from compute.api import hosts as hosts_api
from compute.api import schemas
from compute.db import aggregates
from compute.db import services


def _id(value):
    """The path's aggregate id: an integer, as Nova takes it."""
    # Any integer, negative ones too: an id that is no aggregate's is a 404 (as in Nova).
    if not re.match(r'^-?[0-9]{1,18}$', str(value)):
        raise exceptions.BadRequest('Invalid aggregate id %s: it must be an integer.'
                                    % value[:64])
    return int(value)


class Aggregates(base.Controller):
    def _view(self, req, agg, full=True):
        out = {'id': agg['id'], 'name': agg['name'],
               'availability_zone': agg['availability_zone'],
               'created_at': base.iso(agg['created_at'], z=False),
               'updated_at': base.iso(agg['updated_at'], z=False),
               'deleted': False, 'deleted_at': None}
        if full:
            out.update(hosts=agg['hosts'], metadata=agg['metadata'])
        if base.at_least(req, '2.41'):
            out['uuid'] = agg['uuid']
        return out

    @property
    def _default_zone(self):
        return self.conf.compute.default_availability_zone

    def _check_zone(self, zone):
        if zone == hosts_api.INTERNAL_ZONE:
            raise exceptions.BadRequest('The availability zone %s is reserved for the '
                                        'internal services.' % zone)

    def index(self, req):
        self.authorize(req, 'os-aggregates:index')
        return {'aggregates': [self._view(req, a) for a in aggregates.list_(self.db)]}

    def create(self, req):
        self.authorize(req, 'os-aggregates:create')
        data = base.body(req, schemas.AGGREGATE_CREATE, 'aggregate')
        self._check_zone(data.get('availability_zone'))
        agg = aggregates.create(self.db, data['name'], data.get('availability_zone'))
        return {'aggregate': self._view(req, agg, full=False)}

    def show(self, req, id):
        self.authorize(req, 'os-aggregates:show')
        return {'aggregate': self._view(req, aggregates.get(self.db, _id(id)))}

    def update(self, req, id):
        self.authorize(req, 'os-aggregates:update')
        data = base.body(req, schemas.AGGREGATE_UPDATE, 'aggregate')
        self._check_zone(data.get('availability_zone'))
        agg = aggregates.update(self.db, _id(id), data, self._default_zone)
        return {'aggregate': self._view(req, agg)}

    def delete(self, req, id):
        self.authorize(req, 'os-aggregates:delete')
        aggregates.delete(self.db, _id(id))
        return base.ok_without_body()

    def action(self, req, id):
        data = base.body(req, schemas.AGGREGATE_ACTION)
        (name, args), = data.items()
        self.authorize(req, 'os-aggregates:%s' % name)
        ident = _id(id)
        if name == 'set_metadata':
            meta = args['metadata']
            self._check_zone(meta.get(aggregates.AZ_KEY))
            if meta.get(aggregates.AZ_KEY) is not None:
                validation.validate(schemas.AZ_NAME, meta[aggregates.AZ_KEY])
            agg = aggregates.set_metadata(self.db, ident, meta, self._default_zone)
        else:
            aggregates.get(self.db, ident)   # 404 for an unknown aggregate first
            host = args['host']
            if name == 'add_host' and not services.list_(self.db, binary=hosts_api.WORKER,
                                                         host=host):
                raise exceptions.NotFound('Compute host %s could not be found.' % host)
            change = aggregates.add_host if name == 'add_host' else aggregates.remove_host
            agg = change(self.db, ident, host, self._default_zone)
        return {'aggregate': self._view(req, agg)}
