"""Account GET/HEAD (listing of containers) and POST (metadata, ACLs)."""
import json

import webob

from objectstore.proxy import acl as acl_mod
from objectstore.proxy import constraints
from objectstore.proxy import info
from objectstore.proxy import listing
from objectstore.proxy import utils
from objectstore.proxy.controllers import base

LISTING_PARAMS = ('marker', 'end_marker', 'prefix', 'delimiter', 'reverse')


class AccountController(base.Controller):
    server_type = 'Account'

    def nodes(self):
        return self.app.account_ring.get_nodes(self.account)

    def GETorHEAD(self, req):
        denied = self.authorize(req)
        if denied is not None:
            return denied
        fmt = constraints.listing_format(req)
        query = {'format': 'json'}
        if req.method == 'GET':
            query['limit'] = self.app.limits.listing_limit(
                req, self.app.limits.account_listing_limit)
            for name in LISTING_PARAMS:
                if req.GET.get(name):
                    query[name] = req.GET[name]
        part, _nodes = self.nodes()
        resp = self.get_or_head(req, self.app.account_ring, part, '/%s' % self.account,
                                {'X-Trans-Id': req.environ.get('openstack.request_id', '')},
                                utils_urlencode(query))
        if resp.status_int == 404 and self.app.account_autocreate and \
                req.environ.get(utils.OWNER):
            # An account that does not exist yet looks empty to its owner.
            resp = self._empty(req)
        elif resp.status_int // 100 == 2:
            if req.method == 'GET':
                resp = self._listing(req, resp, fmt)
            else:
                listing.set_content_type(resp, fmt)
            self._policy_usage(resp)
        return resp

    def _policy_usage(self, resp):
        """The account's usage per storage policy, as Swift reports it; with one policy
        (one object ring) it is the account's whole usage."""
        h = resp.headers
        if h.get('X-Account-Container-Count', '0') in ('', '0'):
            return
        prefix = 'X-Account-Storage-Policy-%s-' % self.app.storage_policy
        for name, source in (('Container-Count', 'X-Account-Container-Count'),
                             ('Object-Count', 'X-Account-Object-Count'),
                             ('Bytes-Used', 'X-Account-Bytes-Used')):
            h[prefix + name] = h.get(source, '0')

    GET = HEAD = GETorHEAD

    def _empty(self, req):
        headers = {'X-Account-Container-Count': '0', 'X-Account-Object-Count': '0',
                   'X-Account-Bytes-Used': '0', 'X-Timestamp': utils.timestamp()}
        if req.method == 'HEAD':
            resp = webob.Response(status=204, headerlist=list(headers.items()))
            listing.set_content_type(resp, constraints.listing_format(req))
            return resp
        return listing.render('account', self.account, [], constraints.listing_format(req),
                              headers)

    def _listing(self, req, resp, fmt):
        try:
            rows = json.loads(b''.join(resp.app_iter) or b'[]')
        except ValueError:
            return utils.error_response(503, 'Account server sent a malformed listing')
        headers = {k: v for k, v in resp.headers.items()
                   if k.lower() not in ('content-length', 'content-type')}
        return listing.render('account', self.account, rows, fmt, headers)

    def POST(self, req):
        denied = self.authorize(req)
        if denied is not None:
            return denied
        self.drop_owner_only_meta(req, 'account')
        self.app.limits.check_metadata(req, 'account')
        headers = self.base_headers(req)
        headers.update(self.copy_headers(req, ('x-account-meta-', 'x-remove-account-meta-')))
        if self.account_info(req).get('project_domain_id') is None:
            # an account made before its domain was recorded learns it from its owner
            headers.update(self.app.project_domain_header(req, self.account))
        if 'X-Account-Access-Control' in req.headers:
            if not req.environ.get(utils.OWNER):
                return utils.error_response(403, 'Only the account owner or an account '
                                            'admin may change X-Account-Access-Control')
            acl = acl_mod.parse_account_acl(req.headers['X-Account-Access-Control'])
            headers['X-Account-Access-Control'] = json.dumps(acl, sort_keys=True) \
                if acl else ''
        for key in list(headers):
            if key.lower().startswith('x-remove-account-meta-'):
                headers['X-Account-Meta-' + key[len('x-remove-account-meta-'):]] = ''
                del headers[key]
        part, nodes = self.nodes()
        resp = self.make_requests(req, self.app.account_ring, part, 'POST',
                                  '/%s' % self.account, [headers] * len(nodes))
        if resp.status_int == 404 and self.app.account_autocreate and \
                req.environ.get(utils.OWNER):
            created = self.app.create_account(req, self.account)
            if created is not None:
                return created
            resp = self.make_requests(req, self.app.account_ring, part, 'POST',
                                      '/%s' % self.account, [headers] * len(nodes))
        info.invalidate(req.environ, self.account)
        return resp

    def PUT(self, req):
        return utils.error_response(405, 'Accounts are created on first use; PUT of an '
                                    'account is not allowed', {'Allow': 'GET, HEAD, POST'})

    DELETE = PUT


def utils_urlencode(query):
    import urllib.parse
    return urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
