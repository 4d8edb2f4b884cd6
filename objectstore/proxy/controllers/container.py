"""Container GET/HEAD (object listings), PUT, POST and DELETE."""
import json

from objectstore.container import sync_realms
from objectstore.proxy import acl as acl_mod
from objectstore.proxy import constraints
from objectstore.proxy import info
from objectstore.proxy import listing
from objectstore.proxy import utils
from objectstore.proxy.controllers import base
from objectstore.proxy.controllers.account import utils_urlencode

LISTING_PARAMS = ('marker', 'end_marker', 'prefix', 'delimiter', 'reverse', 'path')
# container headers the proxy stores besides X-Container-Meta-*
CONTAINER_HEADERS = ('x-container-read', 'x-container-write', 'x-versions-location',
                     'x-history-location', 'x-remove-versions-location',
                     'x-remove-history-location', 'x-container-sync-to',
                     'x-container-sync-key', 'x-remove-container-read',
                     'x-remove-container-write', 'x-remove-container-sync-to',
                     'x-remove-container-sync-key')
# what only the account's owner may set: ACLs, and where the container syncs with which key
OWNER_ONLY_HEADERS = ('X-Container-Read', 'X-Container-Write', 'X-Container-Sync-To',
                      'X-Container-Sync-Key')
# X-Remove-<header>: clears <header> (as Swift does)
REMOVE_HEADERS = ('x-remove-versions-location', 'x-remove-history-location',
                  'x-remove-container-read', 'x-remove-container-write',
                  'x-remove-container-sync-to', 'x-remove-container-sync-key')


class ContainerController(base.Controller):
    server_type = 'Container'

    def nodes(self):
        return self.app.container_ring.get_nodes(self.account, self.container)

    def GETorHEAD(self, req):
        fmt = constraints.listing_format(req)
        query = {'format': 'json'}
        if req.method == 'GET':
            query['limit'] = self.app.limits.listing_limit(
                req, self.app.limits.container_listing_limit)
            for name in LISTING_PARAMS:
                if req.GET.get(name):
                    query[name] = req.GET[name]
        part, _nodes = self.nodes()
        resp = self.get_or_head(req, self.app.container_ring, part,
                                '/%s/%s' % (self.account, self.container),
                                {'X-Trans-Id': req.environ.get('openstack.request_id', '')},
                                utils_urlencode(query))
        read_acl = resp.headers.get('X-Container-Read') if resp.status_int < 300 else None
        denied = self.authorize(req, read_acl)
        if denied is not None:
            base_close(resp)
            return denied
        if resp.status_int // 100 == 2:
            if req.method == 'GET':
                resp = self._listing(req, resp, fmt)
            else:
                listing.set_content_type(resp, fmt)
            resp.headers['X-Storage-Policy'] = self.app.storage_policy
        return resp

    GET = HEAD = GETorHEAD

    def _listing(self, req, resp, fmt):
        try:
            rows = json.loads(b''.join(resp.app_iter) or b'[]')
        except ValueError:
            return utils.error_response(503, 'Container server sent a malformed listing')
        headers = {k: v for k, v in resp.headers.items()
                   if k.lower() not in ('content-length', 'content-type')}
        return listing.render('container', self.container,
                              listing.container_rows(self.account, rows), fmt, headers)

    def _write_headers(self, req):
        self.drop_owner_only_meta(req, 'container')
        self.app.limits.check_metadata(req, 'container')
        headers = self.base_headers(req)
        headers.update(self.copy_headers(
            req, ('x-container-meta-', 'x-remove-container-meta-'), CONTAINER_HEADERS))
        for name in OWNER_ONLY_HEADERS:
            if name in req.headers or 'X-Remove-' + name[2:] in req.headers:
                if not req.environ.get(utils.OWNER):
                    raise utils.http_error(403, 'Only the account owner may set %s' % name)
        for name in ('X-Container-Read', 'X-Container-Write'):
            if name in req.headers:
                headers[name] = acl_mod.clean_container_acl(name, req.headers[name])
        sync_to = req.headers.get('X-Container-Sync-To')
        if sync_to and sync_realms.parse_sync_to(sync_to) is None:
            # a container syncs only into a cluster its operator listed, never to a host
            # a tenant names
            raise utils.http_error(400, 'X-Container-Sync-To must be //<realm>/<cluster>/'
                                   '<account>/<container>, not %r' % sync_to)
        for key in list(headers):
            low = key.lower()
            if low.startswith('x-remove-container-meta-'):
                headers['X-Container-Meta-' + key[len('x-remove-container-meta-'):]] = ''
                del headers[key]
            elif low in REMOVE_HEADERS:
                headers['X-' + key[len('x-remove-'):]] = ''
                del headers[key]
        for key in ('X-Container-Meta-Quota-Bytes', 'X-Container-Meta-Quota-Count'):
            value = headers.get(key) or req.headers.get(key)
            if value and not value.isdigit():
                raise utils.http_error(400, '%s must be a non-negative integer, not %r'
                                       % (key, value))
        return headers

    def _account_update_headers(self, headers_list):
        a_part, a_nodes = self.app.account_ring.get_nodes(self.account)
        for i, headers in enumerate(headers_list):
            node = a_nodes[i % len(a_nodes)]
            headers.update({'X-Account-Host': '%s:%s' % (node['ip'], node['port']),
                            'X-Account-Partition': str(a_part),
                            'X-Account-Device': node['device']})
        return headers_list

    def PUT(self, req):
        denied = self.authorize(req)
        if denied is not None:
            return denied
        policy = req.headers.get('X-Storage-Policy')
        if policy is not None and policy.strip().lower() != self.app.storage_policy.lower():
            # one object ring, so one policy: naming another is a mistake to report
            return utils.error_response(400, 'Invalid X-Storage-Policy %r: this cluster has '
                                        'only %s' % (policy, self.app.storage_policy))
        headers = self._write_headers(req)
        acct = self.account_info(req)
        if acct['status'] == 404:
            if not (self.app.account_autocreate and req.environ.get(utils.OWNER)):
                return utils.error_response(404, 'Account %s not found' % self.account)
            created = self.app.create_account(req, self.account)
            if created is not None:
                return created
        elif acct['status'] >= 300:
            return utils.error_response(503, 'Account %s is unavailable (%s)'
                                        % (self.account, acct['status']))
        part, nodes = self.nodes()
        headers_list = self._account_update_headers([dict(headers) for _ in nodes])
        resp = self.make_requests(req, self.app.container_ring, part, 'PUT',
                                  '/%s/%s' % (self.account, self.container), headers_list)
        info.invalidate(req.environ, self.account, self.container)
        info.invalidate(req.environ, self.account)
        return resp

    def POST(self, req):
        denied = self.authorize(req)
        if denied is not None:
            return denied
        headers = self._write_headers(req)
        part, nodes = self.nodes()
        resp = self.make_requests(req, self.app.container_ring, part, 'POST',
                                  '/%s/%s' % (self.account, self.container),
                                  [dict(headers) for _ in nodes])
        info.invalidate(req.environ, self.account, self.container)
        return resp

    def DELETE(self, req):
        denied = self.authorize(req)
        if denied is not None:
            return denied
        part, nodes = self.nodes()
        headers = self.base_headers(req)
        headers_list = self._account_update_headers([dict(headers) for _ in nodes])
        resp = self.make_requests(req, self.app.container_ring, part, 'DELETE',
                                  '/%s/%s' % (self.account, self.container), headers_list)
        info.invalidate(req.environ, self.account, self.container)
        info.invalidate(req.environ, self.account)
        if resp.status_int == 409:
            return utils.error_response(409, 'There was a conflict when trying to complete '
                                        'your request. The container is not empty.')
        return resp


def base_close(resp):
    utils.close_if_possible(resp)
