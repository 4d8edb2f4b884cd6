"""Account and container info (counts, ACLs, metadata) for middlewares and controllers.

Fetched with a pre-authorized HEAD through the rest of the pipeline and cached in the
request environ, which sub-requests share, so one client request costs one HEAD per
account/container however many layers look; writes through the proxy drop the entry.
"""
from objectstore.proxy import utils

PROJECT_DOMAIN_SYSMETA = 'X-Account-Sysmeta-Project-Domain-Id'


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _meta(headers, prefix):
    prefix = prefix.lower()
    return {k[len(prefix):].lower(): v for k, v in headers.items()
            if k.lower().startswith(prefix)}


def container_info_from_headers(status, headers):
    h = {k.lower(): v for k, v in headers.items()}
    return {
        'status': status,
        'object_count': _int(h.get('x-container-object-count')),
        'bytes': _int(h.get('x-container-bytes-used')),
        'read_acl': h.get('x-container-read'),
        'write_acl': h.get('x-container-write'),
        'versions': h.get('x-versions-location'),
        'sync_key': h.get('x-container-sync-key'),
        'history': h.get('x-history-location'),
        'meta': _meta(headers, 'x-container-meta-'),
    }


def account_info_from_headers(status, headers):
    h = {k.lower(): v for k, v in headers.items()}
    return {
        'status': status,
        'container_count': _int(h.get('x-account-container-count')),
        'object_count': _int(h.get('x-account-object-count')),
        'bytes': _int(h.get('x-account-bytes-used')),
        'acl': h.get('x-account-access-control'),
        # the domain of the account's project, recorded when its owner made it
        'project_domain_id': h.get(PROJECT_DOMAIN_SYSMETA.lower()),
        'meta': _meta(headers, 'x-account-meta-'),
    }


def cache_key(account, container=None):
    return '/%s/%s' % (account, container) if container else '/%s' % account


def invalidate(env, account, container=None):
    cache = env.get(utils.INFOCACHE)
    if cache is not None:
        cache.pop(cache_key(account, container), None)
        if container is None:
            # account changes (e.g. ACLs) may change what container lookups allow
            for key in [k for k in cache if k.startswith('/%s/' % account)]:
                cache.pop(key, None)


def _fetch(env, app, account, container):
    cache = env.setdefault(utils.INFOCACHE, {})
    key = cache_key(account, container)
    if key in cache:
        return cache[key]
    path = '/v1/%s' % account + ('/%s' % container if container else '')
    resp = utils.subrequest(env, 'HEAD', path, preauthed=True,
                            source='info').get_response(app)
    utils.close_if_possible(resp)
    if container:
        info = container_info_from_headers(resp.status_int, resp.headers)
    else:
        info = account_info_from_headers(resp.status_int, resp.headers)
    if resp.status_int < 500:  # do not remember a transient failure
        cache[key] = info
    return info


def get_container_info(env, app, account, container):
    return _fetch(env, app, account, container)


def get_account_info(env, app, account):
    return _fetch(env, app, account, None)


def get_info_from_env(env, app):
    """(account info, container info or None) for the path of ``env``."""
    _v, account, container, _o = utils.split_path(env.get('PATH_INFO', ''))
    return (get_account_info(env, app, account),
            get_container_info(env, app, account, container) if container else None)


def is_info_request(req):
    return req.path_info in ('/info', '/info/') and req.method in ('GET', 'HEAD')


def add_capability(req, app, name, values):
    """Pass a GET /info down the pipeline and add ``name: values`` to its JSON answer, so
    /info lists exactly the middlewares present in this pipeline."""
    return add_capabilities(req, app, {name: values})


def add_capabilities(req, app, capabilities):
    """``add_capability`` for several names at once ({name: values})."""
    import json
    resp = req.get_response(app)
    if resp.status_int != 200 or req.method != 'GET':
        return resp
    try:
        body = json.loads(resp.body)
    except ValueError:
        return resp
    body.update(capabilities)
    resp.body = json.dumps(body).encode()
    return resp
