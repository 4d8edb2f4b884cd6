"""``GET /crossdomain.xml``: the cross-domain policy that Flash and Silverlight clients
fetch before a page of another site may call this API.

The operator writes the policy's body (``cross_domain_policy``: the
``<allow-access-from .../>`` elements); by default it is empty and grants no other site
anything, since a browser plug-in would send the user's cookies and credentials along."""
import webob

from objectstore.proxy import info

PATH = '/crossdomain.xml'
HEAD = ('<?xml version="1.0"?>\n'
        '<!DOCTYPE cross-domain-policy SYSTEM '
        '"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >\n'
        '<cross-domain-policy>\n')
TAIL = '</cross-domain-policy>'


def policy_document(body):
    """The whole XML document around the operator's policy lines."""
    lines = [line.strip() for line in (body or '').splitlines() if line.strip()]
    return HEAD + ''.join(line + '\n' for line in lines) + TAIL


class CrossDomain:
    def __init__(self, app, policy=''):
        self.app = app
        self.document = policy_document(policy).encode('utf-8')

    def __call__(self, env, start_response):
        req = webob.Request(env)
        if req.path_info == PATH and req.method in ('GET', 'HEAD'):
            resp = webob.Response(status=200, body=self.document,
                                  content_type='application/xml', charset='utf-8')
            return resp(env, start_response)
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'crossdomain', {})(env, start_response)
        return self.app(env, start_response)


def filter_factory(global_conf, **local_conf):
    policy = local_conf.get('cross_domain_policy', '')

    def _filter(app):
        return CrossDomain(app, policy)
    return _filter
