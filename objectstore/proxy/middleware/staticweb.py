"""Static websites served from public containers.

A container's owner turns it into a site with container metadata:
``X-Container-Meta-Web-Index`` (the object served for the container and for each
pseudo-directory, e.g. ``index.html``), ``-Web-Listings`` (true: an HTML listing where no
index exists), ``-Web-Listings-CSS`` (a style sheet for it) and ``-Web-Error`` (``<status>
<name>``, e.g. ``404error.html``, is served with an error status).

It applies to GET and HEAD of anonymous callers (a browser), or of any caller who sends
``X-Web-Mode: true``; API clients with a token see the ordinary API.  It serves only what
the caller may read anyway: the container's read ACL must let the caller read objects
(``.r:*`` for the anonymous world), every index, listing and error page is fetched with
the caller's own rights, and a listing needs ``.rlistings`` as an API listing does.
Requests authorized otherwise (TempURL, form uploads, container sync) are left alone, so a
signature for one object never opens a view of the container.
"""
import html
import json
import urllib.parse

import webob

from common import config
from common.wsgi import endpoint
from objectstore.proxy import info
from objectstore.proxy import utils
from objectstore.proxy.middleware import authz

LISTING_LIMIT = 10000
DEFAULT_STYLE = ('<style type="text/css">h1 {font-size: 1em; font-weight: bold;} '
                 'th {text-align: left; padding: 0 1em;} '
                 'td {padding: 0 1em;} td.colsize {text-align: right;}</style>')


def _true(value):
    return str(value or '').strip().lower() in ('1', 'true', 'yes', 'on', 't', 'y')


def _href(name):
    return html.escape(urllib.parse.quote(name), quote=True)


def css_link(css, depth):
    """The <link> of a listing ``depth`` directories below the container: a relative
    style sheet path is made relative to the container."""
    if not css.startswith('/') and '://' not in css:
        css = '../' * depth + css
    return '<link rel="stylesheet" type="text/css" href="%s" />' % html.escape(
        urllib.parse.quote(css, safe='/:?=&;#~'), quote=True)


def listing_page(path, prefix, rows, css=None):
    """The HTML listing of ``rows`` (a JSON container listing with delimiter /)."""
    depth = prefix.count('/')
    title = html.escape('Listing of %s' % path)
    out = ['<!DOCTYPE html>', '<html>', '<head>',
           '<meta charset="utf-8" />', '<title>%s</title>' % title,
           css_link(css, depth) if css else DEFAULT_STYLE, '</head>', '<body>',
           '<h1 id="title">%s</h1>' % title, '<table id="listing">',
           '<tr id="heading"><th class="colname">Name</th><th class="colsize">Size</th>'
           '<th class="coldate">Date</th></tr>']
    if prefix:
        out.append('<tr id="parent" class="item"><td class="colname">'
                   '<a href="../">../</a></td><td></td><td></td></tr>')
    for row in rows:
        if 'subdir' in row:
            name = row['subdir'][len(prefix):]
            out.append('<tr class="item subdir"><td class="colname"><a href="%s">%s</a>'
                       '</td><td></td><td></td></tr>' % (_href(name), html.escape(name)))
    for row in rows:
        if 'name' in row:
            name = row['name'][len(prefix):]
            out.append('<tr class="item"><td class="colname"><a href="%s">%s</a></td>'
                       '<td class="colsize">%d</td><td class="coldate">%s</td></tr>' % (
                           _href(name), html.escape(name), int(row.get('bytes') or 0),
                           html.escape(str(row.get('last_modified') or '')[:19]
                                       .replace('T', ' '))))
    out += ['</table>', '</body>', '</html>', '']
    return '\n'.join(out).encode('utf-8')


class StaticWeb:
    def __init__(self, app, conf):
        self.app = app
        self.conf = conf

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'staticweb', {})
        env = req.environ
        if req.method not in ('GET', 'HEAD') or env.get(utils.AUTHORIZE_OVERRIDE) or \
                env.get(utils.SOURCE):
            return req.get_response(self.app)
        if authz.identity(req) is not None and not _true(req.headers.get('X-Web-Mode')):
            return req.get_response(self.app)
        parts = utils.request_parts(req)
        if parts is None or parts[2] is None or parts[0] not in ('v1', 'v1.0'):
            return req.get_response(self.app)
        _v, account, container, obj = parts
        cinfo = info.get_container_info(env, self.app, account, container)
        meta = cinfo.get('meta', {})
        site = {'index': meta.get('web-index'), 'listings': _true(meta.get('web-listings')),
                'css': meta.get('web-listings-css'), 'error': meta.get('web-error')}
        if cinfo['status'] // 100 != 2 or not (site['index'] or site['listings']) or \
                not self._may_read(req, account, container, cinfo):
            return req.get_response(self.app)
        base = '/v1/%s/%s/' % (account, container)
        if obj is None:
            if not req.path_info.endswith('/'):
                return self._redirect(req, utils.path_of(req) + '/')
            return self._directory(req, base, '', site)
        if obj.endswith('/'):
            return self._directory(req, base, obj, site)
        resp = req.get_response(self.app)
        if resp.status_int != 404:
            return resp
        if self._is_directory(req, base, obj, site):
            utils.close_if_possible(resp)
            return self._redirect(req, utils.path_of(req) + '/')
        return self._error_page(req, base, site, resp)

    def _may_read(self, req, account, container, cinfo):
        """Whether the caller may read objects of the container (its read ACL)."""
        probe = utils.subrequest(req.environ, 'GET', '/v1/%s/%s/%s' % (
            account, container, '.staticweb-probe'))
        authorize = req.environ.get(utils.AUTHORIZE)
        return authorize is not None and authorize(probe, cinfo.get('read_acl')) is None

    def _redirect(self, req, path):
        resp = webob.Response(status=301, content_type='text/plain', charset='utf-8',
                              body=b'Moved Permanently\n')
        # absolute under the API's public URL (never the client's Host header)
        resp.headers['Location'] = endpoint.absolute(self.conf, req, utils.quote(path)) + (
            '?' + req.query_string if req.query_string else '')
        return resp

    def _get(self, req, path, query=None):
        sub = utils.subrequest(req.environ, req.method, path, query=query, source='staticweb')
        return sub.get_response(self.app)

    def _directory(self, req, base, prefix, site):
        if site['index']:
            resp = self._get(req, base + prefix + site['index'])
            if resp.status_int // 100 == 2 or resp.status_int == 304:
                return resp
            utils.close_if_possible(resp)
            if resp.status_int != 404:
                return resp
        if not site['listings']:
            return self._error_page(req, base, site, utils.error_response(404, 'Not Found'))
        listing = self._listing(req, base, prefix)
        if listing.status_int // 100 != 2:
            return listing
        rows = json.loads(listing.body or b'[]')
        if prefix and not rows:
            return self._error_page(req, base, site, utils.error_response(404, 'Not Found'))
        body = listing_page(utils.path_of(req), prefix, rows, site['css'])
        resp = webob.Response(status=200, body=body, content_type='text/html',
                              charset='utf-8')
        if req.method == 'HEAD':
            resp.app_iter = []
            resp.content_length = len(body)
        return resp

    def _listing(self, req, base, prefix):
        """The JSON listing (one page) of the pseudo-directory ``prefix``."""
        return utils.subrequest(req.environ, 'GET', base.rstrip('/'), query={
            'format': 'json', 'delimiter': '/', 'prefix': prefix, 'limit': LISTING_LIMIT},
            source='staticweb').get_response(self.app)

    def _is_directory(self, req, base, obj, site):
        """Whether ``obj`` names a pseudo-directory (an index under it, or objects)."""
        if site['index']:
            head = utils.subrequest(req.environ, 'HEAD', base + obj + '/' + site['index'],
                                    source='staticweb').get_response(self.app)
            utils.close_if_possible(head)
            if head.status_int // 100 == 2:
                return True
        if site['listings']:
            listing = self._listing(req, base, obj + '/')
            return listing.status_int == 200 and bool(json.loads(listing.body or b'[]'))
        return False

    def _error_page(self, req, base, site, resp):
        """``resp`` (an error) with the container's page for its status, if it has one."""
        if not site['error']:
            return resp
        page = utils.subrequest(req.environ, 'GET', base + '%d%s' % (
            resp.status_int, site['error']), source='staticweb').get_response(self.app)
        if page.status_int != 200:
            utils.close_if_possible(page)
            return resp
        utils.close_if_possible(resp)
        page.status = resp.status
        if req.method == 'HEAD':
            utils.close_if_possible(page)
            page.app_iter = []
        return page


def filter_factory(global_conf, **local_conf):
    conf = config.from_paste(global_conf)

    def _filter(app):
        return StaticWeb(app, conf)
    return _filter
