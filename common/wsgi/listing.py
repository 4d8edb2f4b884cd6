"""The API side of a paged list: parse ``limit``/``marker``/``sort_key``/``sort_dir``/
``page_reverse``/``fields`` and attribute filters, and build the ``<collection>_links``.

Pairs with ``common.db.query`` (which runs the filters, sorts and keyset page in SQL)::

    lr = listing.parse(req, max_limit=1000)
    rows = db_api.list_widgets(ctx, lr.filters, lr.sorts, lr.limit, lr.marker,
                               lr.page_reverse)          # limit + 1 rows at most
    return listing.body(conf, req, 'widgets', rows, lr)
"""
import dataclasses
import datetime
import urllib.parse

from common import exceptions
from common import validation
from common import validators
from common.wsgi import endpoint

PAGING_PARAMS = ('fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'page_reverse')


@dataclasses.dataclass
class ListRequest:
    limit: int
    marker: str
    page_reverse: bool
    sorts: list      # [(key, 'asc'|'desc')]
    filters: dict    # {attribute: [values]}
    fields: set      # attributes to return (empty: all)


def parse(req, max_limit, bad_request=exceptions.BadRequest, ignore=(), min_limit=0):
    """A ListRequest of ``req``; ``limit`` is capped at ``max_limit`` (0 or none: max;
    below ``min_limit`` a 400)."""
    limit = validation.query_int(req, 'limit', None, minimum=min_limit)
    limit = min(limit or max_limit, max_limit)
    keys = req.GET.getall('sort_key')
    dirs = req.GET.getall('sort_dir')
    if len(dirs) > len(keys):
        raise bad_request('The number of sort_keys and sort_dirs must be same.')
    sorts = list(zip(keys, dirs + ['asc'] * (len(keys) - len(dirs))))
    filters = {}
    for key in req.GET.keys():
        if key not in PAGING_PARAMS and key not in ignore and key not in filters:
            filters[key] = req.GET.getall(key)
    return ListRequest(limit, req.GET.get('marker') or None,
                       validation.query_bool(req, 'page_reverse', False), sorts, filters,
                       parse_fields(req))


def parse_fields(req):
    """The attributes ``?fields=a,b&fields=c`` asks for (empty: all)."""
    fields = set()
    for value in req.GET.getall('fields'):
        fields.update(f.strip() for f in value.split(',') if f.strip())
    return fields


def page(rows, lr):
    """``(rows, has_more)``: at most ``lr.limit`` rows in display order."""
    has_more = len(rows) > lr.limit
    rows = list(rows[:lr.limit])
    if lr.page_reverse:
        rows.reverse()
    return rows, has_more


def links(conf, req, rows, has_more, lr, key='id'):
    """``next``/``previous`` links around ``rows`` (dicts), keeping the other parameters."""
    if not rows:
        return []
    base = [(k, v) for k, v in req.GET.items() if k not in ('marker', 'page_reverse')]

    def link(rel, marker_id, reverse):
        params = base + [('marker', marker_id)] + ([('page_reverse', 'True')]
                                                   if reverse else [])
        href = '%s%s?%s' % (endpoint.public_url(conf, req), req.path,
                            urllib.parse.urlencode(params))
        return {'rel': rel, 'href': href}
    result = []
    more_after = has_more if not lr.page_reverse else bool(lr.marker)
    more_before = bool(lr.marker) if not lr.page_reverse else has_more
    if more_after:
        result.append(link('next', rows[-1][key], False))
    if more_before:
        result.append(link('previous', rows[0][key], True))
    return result


def body(conf, req, collection, rows, lr, render=None, next_when_full=False):
    """The list response: ``{collection: [...], collection_links: [...]}`` (no empty links);
    ``render(row)`` turns a row dict into what the caller sees. ``next_when_full``: a full
    page links to the next one even when nothing follows (Cinder's paging)."""
    rows, has_more = page(rows, lr)
    has_more = has_more or (next_when_full and len(rows) == lr.limit)
    shown = [render(r) if render else r for r in rows]
    if lr.fields:
        shown = [{k: v for k, v in item.items() if k in lr.fields} for item in shown]
    result = {collection: shown}
    found = links(conf, req, rows, has_more, lr)
    if found:
        result['%s_links' % collection] = found
    return result


# Glance's and Cinder's list parameters ------------------------------------------------
# Those APIs page with a default limit, sort with ``sort=key:dir,...`` or with
# ``sort_key``/``sort_dir`` (one direction for every key, or one per key), and compare
# times with operators (``created_at=gte:2024-01-01T00:00:00Z``).

TIME_OPERATORS = ('eq', 'neq', 'gt', 'gte', 'lt', 'lte')


def single(req, name, bad_request=exceptions.BadRequest):
    """The value of a parameter that may be given at most once (None when absent)."""
    values = req.GET.getall(name)
    if len(values) > 1:
        raise bad_request("Query parameter '%s' may be given only once." % name)
    return values[0] if values else None


def count(req, name, bad_request=exceptions.BadRequest):
    """A non-negative integer parameter given at most once (None when absent)."""
    raw = single(req, name, bad_request)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise bad_request("Query parameter '%s' must be an integer, got %s."
                          % (name, validators.quote(raw)))
    if value < 0:
        raise bad_request("Query parameter '%s' must not be negative." % name)
    return value


def flag(req, name, bad_request=exceptions.BadRequest):
    """``true``/``false`` (any case) given at most once; None when absent."""
    raw = single(req, name, bad_request)
    if raw is None:
        return None
    low = raw.lower()
    if low not in ('true', 'false'):
        raise bad_request("Query parameter '%s' must be true or false, got %s."
                          % (name, validators.quote(raw)))
    return low == 'true'


def page_limit(req, default, maximum, bad_request=exceptions.BadRequest):
    """``limit``: ``default`` when absent, at most ``maximum``; 0 asks for an empty page."""
    value = count(req, 'limit', bad_request)
    return default if value is None else min(value, maximum)


def sort_spec(req, keys, default_key='created_at', default_dir='desc',
              bad_request=exceptions.BadRequest):
    """``[(key, dir)]`` from ``sort=k:d,k2`` or ``sort_key``/``sort_dir`` (not both);
    every key one of ``keys``, each at most once."""
    sort = single(req, 'sort', bad_request)
    names, dirs = req.GET.getall('sort_key'), req.GET.getall('sort_dir')
    if sort is not None and (names or dirs):
        raise bad_request("Use either 'sort' or 'sort_key'/'sort_dir', not both.")
    result = []
    if sort is not None:
        for item in sort.split(','):
            key, _sep, direction = item.strip().partition(':')
            result.append((key.strip(), direction.strip() or default_dir))
    else:
        if len(dirs) > 1 and len(dirs) != len(names):
            raise bad_request('Give one sort_dir, or one per sort_key.')
        for i, key in enumerate(names or [default_key]):
            direction = dirs[i] if len(dirs) > 1 else (dirs[0] if dirs else default_dir)
            result.append((key, direction))
    seen = set()
    for key, direction in result:
        if key not in keys:
            raise bad_request('Invalid sort key: %s. It must be one of: %s.'
                              % (key, ', '.join(keys)))
        if direction not in ('asc', 'desc'):
            raise bad_request("Invalid sort direction: %s (use 'asc' or 'desc')."
                              % direction)
        if key in seen:
            raise bad_request('Sort key %s is given twice.' % key)
        seen.add(key)
    return result


def time_filter(name, raw, bad_request=exceptions.BadRequest):
    """``(operator, naive UTC datetime)`` of ``[op:]ISO-8601``; operators TIME_OPERATORS."""
    op, sep, value = raw.partition(':')
    if not sep or op not in TIME_OPERATORS:
        op, value = 'eq', raw
    text = value.strip()
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise bad_request("Query parameter '%s': %s is not an ISO 8601 time (e.g. "
                          "gte:2024-01-01T00:00:00Z; operators %s)."
                          % (name, validators.quote(raw), ', '.join(TIME_OPERATORS)))
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return op, when


def in_values(name, raw, bad_request=exceptions.BadRequest):
    """The values ``in:a,b,"c"`` names (a list), or ``[raw]`` for a plain value."""
    if not raw.startswith('in:'):
        return [raw]
    values = [v.strip().strip('"') for v in raw[3:].split(',') if v.strip()]
    if not values:
        raise bad_request("Query parameter '%s': 'in:' needs values." % name)
    return values


def first_next_links(req, path, last_id, full_page):
    """Glance's page links: ``first`` and, after a full page, ``next`` (relative, keeping
    every other parameter)."""
    kept = [(k, v) for k, v in req.GET.items() if k != 'marker']
    result = {'first': path + ('?' + urllib.parse.urlencode(kept) if kept else '')}
    if full_page and last_id:
        result['next'] = path + '?' + urllib.parse.urlencode(kept + [('marker', last_id)])
    return result
