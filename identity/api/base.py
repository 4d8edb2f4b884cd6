"""What every identity controller shares: the request context, policy, links, listing."""
import sqlalchemy as sa

from common import exceptions
from common import validation
from common.wsgi import middleware
from common.wsgi import response


class Controller:
    """Base of identity controllers; ``self.app`` holds db, provider, enforcer and conf."""

    def __init__(self, app):
        self.app = app

    @property
    def db(self):
        return self.app.db

    def context(self, req, require=True):
        ctx = middleware.get_context(req)
        if require and not ctx.authenticated:
            raise exceptions.Unauthorized('The request you have made requires authentication.')
        return ctx

    def enforce(self, req, rule, target=None):
        ctx = self.context(req)
        # Rules name target attributes as %(target.<kind>.<attr>)s, as Keystone's do.
        self.app.enforcer.authorize(rule, {'target': target or {}}, ctx)
        return ctx

    def base_url(self, req):
        return (self.app.conf.api.public_endpoint or req.host_url).rstrip('/')

    def link(self, req, path):
        return {'self': '%s/v3/%s' % (self.base_url(req), path)}

    def collection(self, req, key, items, truncated=False):
        body = {key: items, 'links': {'self': self.base_url(req) + req.path_qs,
                                      'previous': None, 'next': None}}
        if truncated:
            body['truncated'] = True
        return body

    def body(self, req, schema):
        data = response.json_body(req)
        validation.validate(schema, data)
        return data

    @staticmethod
    def created(body, headers=None):
        return response.json_response(body, status=201, headers=headers)


_OPERATORS = {
    'contains': lambda col, v: col.contains(v, autoescape=True),
    'icontains': lambda col, v: sa.func.lower(col).contains(v.lower(), autoescape=True),
    'startswith': lambda col, v: col.startswith(v, autoescape=True),
    'istartswith': lambda col, v: sa.func.lower(col).startswith(v.lower(), autoescape=True),
    'endswith': lambda col, v: col.endswith(v, autoescape=True),
    'iendswith': lambda col, v: sa.func.lower(col).endswith(v.lower(), autoescape=True),
    'equals': lambda col, v: col == v,
    'iequals': lambda col, v: sa.func.lower(col) == v.lower(),
}


def apply_filters(req, query, model, fields, booleans=()):
    """Apply ``?field=value`` and ``?field__<op>=value`` filters (Keystone's list filters).

    Unknown query parameters are ignored as Keystone does; malformed booleans are 400.
    """
    for key, raw in req.GET.items():
        name, _, op = key.partition('__')
        if name not in fields:
            continue
        column = getattr(model, name)
        if name in booleans:
            value = validation.query_bool(req, key)
            query = query.where(column.is_(value))
        elif op:
            if op not in _OPERATORS:
                raise exceptions.BadRequest("Unknown filter operator '%s' in '%s'." % (op, key))
            query = query.where(_OPERATORS[op](column, raw))
        else:
            query = query.where(column == raw)
    return query


def paginate(req, sess, query, model, limit_default):
    """Run ``query`` honouring ``?limit``/``?marker`` (by id) and the configured list limit.

    Returns (rows, truncated).
    """
    limit = validation.query_int(req, 'limit', default=None, minimum=1)
    cap = min(limit, limit_default) if limit else limit_default
    marker = req.GET.get('marker')
    query = query.order_by(model.id)
    if marker:
        query = query.where(model.id > marker)
    rows = list(sess.scalars(query.limit(cap + 1)))
    truncated = len(rows) > cap
    return rows[:cap], truncated
