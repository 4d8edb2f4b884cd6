"""What every compute controller shares: context, policy, bodies, links, times, paging."""
import datetime
import urllib.parse

from common import exceptions
from common import validation
from common import validators
from common.wsgi import endpoint
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from compute.api import microversion
from compute.api import state as api_state
from compute.policies import P

PREFIX = '/v2.1'


class Controller:
    """Base of the controllers: holds the service state (db, engine, enforcer, conf)."""

    def __init__(self, state):
        self.state = state
        self.conf = state.conf
        self.db = state.db

    @property
    def engine(self):
        return api_state.engine(self.state)

    def authorize(self, req, rule, target=None):
        """Check ``os_compute_api:<rule>`` for the caller; the target defaults to the
        caller's own project and user."""
        ctx = context(req)
        full = {'project_id': ctx.project_id, 'user_id': ctx.user_id}
        full.update(target or {})
        self.state.enforcer.authorize(P + rule, full, ctx)
        return ctx

    def allowed(self, req, rule, target=None):
        ctx = context(req)
        full = {'project_id': ctx.project_id, 'user_id': ctx.user_id}
        full.update(target or {})
        return self.state.enforcer.enforce(P + rule, full, ctx)

    def url(self, req, *parts, bookmark=False):
        base = endpoint.public_url(self.conf, req)
        path = '/'.join(urllib.parse.quote(str(p), safe='') for p in parts)
        return '%s%s/%s' % (base, '' if bookmark else PREFIX, path)

    def links(self, req, collection, ident):
        return [{'rel': 'self', 'href': self.url(req, collection, ident)},
                {'rel': 'bookmark', 'href': self.url(req, collection, ident, bookmark=True)}]

    def page(self, req, name, path, items, limit, key='id', links_key=None):
        """``{name: items}`` plus ``<name>_links`` (or ``links_key``) when a next page may
        exist."""
        out = {name: items}
        links = self.next_link(req, path, items, limit, key)
        if links:
            out[links_key or '%s_links' % name] = links
        return out

    def next_link(self, req, collection, items, limit, key='id'):
        """``[{'rel': 'next', ...}]`` when a full page was returned, else []."""
        if not limit or len(items) < limit or not items:
            return []
        params = [(k, v) for k, v in req.GET.items() if k != 'marker']
        params.append(('marker', items[-1][key]))
        return [{'rel': 'next', 'href': '%s?%s' % (self.url(req, collection),
                                                   urllib.parse.urlencode(params))}]


def context(req):
    return middleware.get_context(req)


def version(req):
    return microversion.of(req)


def at_least(req, ver):
    return microversion.at_least(req, ver)


def body(req, schema=None, key=None):
    """The JSON body validated by ``schema``; with ``key``, the object under it."""
    data = wsgi_response.json_body(req)
    if schema is not None:
        validation.validate(schema, data)
    return data[key] if key else data


def created(data, status=200, headers=None):
    return wsgi_response.json_response(data, status=status, headers=headers)


def accepted(data=None, headers=None):
    return wsgi_response.json_response(data, status=202, headers=headers)


def ok_without_body():
    """200 with an empty body: Nova's answer to a few deletes (e.g. an extra spec)."""
    return wsgi_response.json_response(None)


def no_content():
    import webob
    return webob.Response(status=204, content_type=None)


def iso(value, z=True):
    """A timestamp as Nova shows it on servers ('2024-01-02T03:04:05Z')."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.strftime('%Y-%m-%dT%H:%M:%SZ' if z else '%Y-%m-%dT%H:%M:%S.%f')


def parse_time(req, name):
    """An ISO 8601 query parameter as a naive UTC datetime, or a 400 naming it."""
    raw = req.GET.get(name)
    if raw is None:
        return None
    try:
        value = datetime.datetime.fromisoformat(raw.strip().replace('Z', '+00:00'))
    except ValueError:
        raise exceptions.BadRequest('Invalid %s value %s: not an ISO 8601 time.'
                                    % (name, validators.quote(raw)))
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def limit_marker(req, max_limit=1000):
    limit = validation.query_int(req, 'limit', None, minimum=0)
    if limit is not None:
        limit = min(limit, max_limit)
    marker = req.GET.get('marker') or None
    return limit, marker


def bool_param(req, name, default=None):
    return validation.query_bool(req, name, default)


def int_param(req, name, default=None, minimum=0, maximum=None):
    return validation.query_int(req, name, default, minimum=minimum, maximum=maximum)
