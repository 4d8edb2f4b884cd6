"""Call a service's paste app in-process, as the unit tests of every API do."""
import json

import webob


def call(app, method, path, token=None, body=None, raw=None, headers=None):
    """One request: ``body`` sent as JSON (or ``raw`` bytes as JSON), ``token`` as
    X-Auth-Token; returns (status, the decoded JSON body or None, response headers)."""
    req = webob.Request.blank(path, method=method)
    if token:
        req.headers['X-Auth-Token'] = token
    for key, value in (headers or {}).items():
        req.headers[key] = value
    if raw is not None:
        req.body = raw
        req.content_type = 'application/json'
    elif body is not None:
        req.body = json.dumps(body).encode()
        req.content_type = 'application/json'
    resp = req.get_response(app)
    return resp.status_int, (json.loads(resp.body) if resp.body else None), resp.headers
