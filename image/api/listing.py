"""Query parameters of GET /v2/images: filters, sorting, pagination and the page links."""
import datetime
import urllib.parse

from common import exceptions
from image.api import schemas
from image.db import api as image_db

_PAGING = ('limit', 'marker', 'sort_key', 'sort_dir', 'sort')
_IN_FILTERS = ('name', 'status', 'disk_format', 'container_format', 'id', 'owner')
_TIME_OPS = ('eq', 'neq', 'gt', 'gte', 'lt', 'lte')
_KNOWN = _PAGING + _IN_FILTERS + ('visibility', 'member_status', 'tag', 'size_min', 'size_max',
                                  'protected', 'os_hidden', 'created_at', 'updated_at')


def _one(params, name):
    values = params.getall(name)
    if len(values) > 1:
        raise exceptions.BadRequest("Query parameter '%s' may be given only once." % name)
    return values[0] if values else None


def _int(params, name):
    raw = _one(params, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.BadRequest("Query parameter '%s' must be an integer, got %r."
                                    % (name, raw))
    if value < 0:
        raise exceptions.BadRequest("Query parameter '%s' must not be negative." % name)
    return value


def _bool(params, name):
    raw = _one(params, name)
    if raw is None:
        return None
    low = raw.lower()
    if low not in ('true', 'false'):
        raise exceptions.BadRequest("Query parameter '%s' must be true or false, got %r."
                                    % (name, raw))
    return low == 'true'


def _time(name, raw):
    op, sep, value = raw.partition(':')
    if not sep or op not in _TIME_OPS:
        op, value = 'eq', raw
    text = value.strip()
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise exceptions.BadRequest("Query parameter '%s': %r is not an ISO 8601 time (e.g. "
                                    "gte:2024-01-01T00:00:00Z; operators %s)."
                                    % (name, raw, ', '.join(_TIME_OPS)))
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return op, when


def filters(params):
    """The filters of a request's query string, validated (400 naming the bad parameter)."""
    found = {}
    for name in _IN_FILTERS:
        raw = _one(params, name)
        if raw is None:
            continue
        if raw.startswith('in:'):
            values = [v.strip().strip('"') for v in raw[3:].split(',') if v.strip()]
            if not values:
                raise exceptions.BadRequest("Query parameter '%s': 'in:' needs values." % name)
            found[name] = ('in', values)
        else:
            found[name] = ('eq', raw)
    if 'status' in found:
        for value in (found['status'][1] if found['status'][0] == 'in'
                      else [found['status'][1]]):
            if value not in schemas.STATUSES:
                raise exceptions.BadRequest("Invalid status value: %s (known: %s)."
                                            % (value, ', '.join(schemas.STATUSES)))
    visibility = _one(params, 'visibility')
    if visibility is not None and visibility not in schemas.VISIBILITIES + ('all',):
        raise exceptions.BadRequest('Invalid visibility value: %s (known: %s, all).'
                                    % (visibility, ', '.join(schemas.VISIBILITIES)))
    found['visibility'] = visibility
    member_status = _one(params, 'member_status') or 'accepted'
    if member_status not in schemas.MEMBER_STATUSES + ('all',):
        raise exceptions.BadRequest('Invalid member_status value: %s (known: %s, all).'
                                    % (member_status, ', '.join(schemas.MEMBER_STATUSES)))
    found['member_status'] = member_status
    found['tags'] = params.getall('tag')
    found['size_min'] = _int(params, 'size_min')
    found['size_max'] = _int(params, 'size_max')
    found['protected'] = _bool(params, 'protected')
    found['os_hidden'] = _bool(params, 'os_hidden') or False
    for name in ('created_at', 'updated_at'):
        found[name] = [_time(name, raw) for raw in params.getall(name)]
    found['properties'] = {}
    for name in set(params) - set(_KNOWN):
        found['properties'][name] = _one(params, name)
    return found


def sorting(params):
    """``[(key, dir)]`` from ``sort=k:d,k2`` or ``sort_key``/``sort_dir``; default newest first."""
    sort = _one(params, 'sort')
    keys, dirs = params.getall('sort_key'), params.getall('sort_dir')
    if sort is not None and (keys or dirs):
        raise exceptions.BadRequest("Use either 'sort' or 'sort_key'/'sort_dir', not both.")
    result = []
    if sort is not None:
        for item in sort.split(','):
            key, _sep, direction = item.strip().partition(':')
            result.append((key.strip(), direction.strip() or 'desc'))
    else:
        if len(dirs) > 1 and len(dirs) != len(keys):
            raise exceptions.BadRequest('Give one sort_dir, or one per sort_key.')
        for i, key in enumerate(keys or ['created_at']):
            direction = dirs[i] if len(dirs) > 1 else (dirs[0] if dirs else 'desc')
            result.append((key, direction))
    seen = set()
    for key, direction in result:
        if key not in image_db.SORT_KEYS:
            raise exceptions.BadRequest('Invalid sort key: %s. It must be one of: %s.'
                                        % (key, ', '.join(image_db.SORT_KEYS)))
        if direction not in ('asc', 'desc'):
            raise exceptions.BadRequest("Invalid sort direction: %s (use 'asc' or 'desc')."
                                        % direction)
        if key in seen:
            raise exceptions.BadRequest('Sort key %s is given twice.' % key)
        seen.add(key)
    return result


def limit(params, default, maximum):
    value = _int(params, 'limit')
    return default if value is None else min(value, maximum)


def links(params, last_id, full_page):
    """The ``first`` and (for a full page) ``next`` links, keeping the other parameters."""
    kept = [(k, v) for k, v in params.items() if k != 'marker']
    body = {'first': '/v2/images' + ('?' + urllib.parse.urlencode(kept) if kept else '')}
    if full_page and last_id:
        body['next'] = '/v2/images?' + urllib.parse.urlencode(kept + [('marker', last_id)])
    return body
