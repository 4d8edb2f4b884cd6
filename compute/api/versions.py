"""Version discovery: ``GET /`` lists the API versions, ``GET /v2.1`` describes v2.1.

Answered before authentication: clients discover versions without a token.
"""
import webob.dec

from common import exceptions
from common.wsgi import endpoint
from common.wsgi import response as wsgi_response
from common.wsgi import versions
from compute.api import microversion

UPDATED = '2013-07-23T11:33:21Z'


def _v21(base):
    return {
        'id': 'v2.1', 'status': 'CURRENT',
        'version': str(microversion.SPEC.max),
        'min_version': str(microversion.SPEC.min), 'updated': UPDATED,
        'links': [{'rel': 'self', 'href': base + '/v2.1/'}],
    }


def _v20(base):
    return {'id': 'v2.0', 'status': 'SUPPORTED', 'version': '', 'min_version': '',
            'updated': '2011-01-21T11:33:21Z',
            'links': [{'rel': 'self', 'href': base + '/v2/'}]}


def index(base):
    # v2.0 is listed first, as Nova lists it (tempest checks the order); only its version
    # document is served (at /v2): clients use v2.1, whose minimum version is v2.0's API.
    return {'versions': [_v20(base), _v21(base)]}


def version_doc(base, doc=None):
    doc = doc or _v21(base)
    doc['links'].append({'rel': 'describedby', 'type': 'text/html',
                         'href': 'https://docs.openstack.org/'})
    doc['media-types'] = [{'base': 'application/json',
                           'type': 'application/vnd.openstack.compute+json;version=2.1'}]
    return {'version': doc}


def build_versions_app(conf):
    """The app answering ``/``, ``/v2.1`` and ``/v2.1/`` (no token needed)."""
    @webob.dec.wsgify
    def app(req):
        if req.method not in ('GET', 'HEAD'):
            raise exceptions.MethodNotAllowed('Only GET is allowed here.')
        base = endpoint.public_url(conf, req)
        if req.path_info in ('', '/'):
            doc = index(base)
        elif req.path_info.startswith('/v2.1'):
            doc = version_doc(base)
        else:
            doc = version_doc(base, _v20(base))
        return wsgi_response.json_response(doc, status=200)
    return app


filter_factory = versions.filter_factory(build_versions_app,
                                         paths=('/', '/v2', '/v2/', '/v2.1', '/v2.1/'))
