"""Remote consoles: a noVNC URL for a server's VNC console (POST /servers/{id}/remote-
consoles from 2.6, the ``os-getVNCConsole`` action before).

Each URL carries a fresh random token. The API writes ``<token>: <host>:<port>`` into a
file of ``[vnc] token_dir``, which the console proxy (websockify with its TokenFile plugin,
serving noVNC) reads: the proxy connects a browser only to the guest its token names.
Tokens older than ``[vnc] token_ttl`` are removed whenever a new one is made.
"""
import os
import secrets
import time
import urllib.parse

from common import config
from common import exceptions
from common import validators
from compute.api import base

OPTS = [
    config.StrOpt('novncproxy_base_url', default='http://127.0.0.1:6080/vnc_lite.html',
                  help='noVNC page of the console proxy that console URLs point at.'),
    config.StrOpt('token_dir', default=None,
                  help='Directory of console tokens the proxy reads (default: '
                       '<state_path>/console-tokens).'),
    config.IntOpt('token_ttl', default=600, min=10,
                  help='Seconds a console URL stays usable.'),
]

SCHEMA = {'type': 'object', 'properties': {'remote_console': {
    'type': 'object', 'properties': {
        'protocol': {'type': 'string', 'enum': ['vnc', 'spice', 'rdp', 'serial', 'mks']},
        'type': {'type': 'string', 'enum': ['novnc', 'xvpvnc', 'spice-html5',
                                            'spice-direct', 'rdp-html5', 'serial',
                                            'webmks']}},
    'required': ['protocol', 'type'], 'additionalProperties': False}},
    'required': ['remote_console'], 'additionalProperties': False}


def register_opts(conf):
    conf.register_opts(OPTS, group='vnc')


def token_dir(conf):
    return conf.vnc.token_dir or os.path.join(conf.state_path, 'console-tokens')


def issue_token(conf, host, port):
    """A new token for ``host:port`` (written where the proxy reads it)."""
    host = validators.ip_address(host) if host not in ('localhost',) else host
    port = int(port)
    directory = token_dir(conf)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    now = time.time()
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        try:
            if now - os.stat(path).st_mtime > conf.vnc.token_ttl:
                os.unlink(path)
        except FileNotFoundError:
            pass
    token = secrets.token_urlsafe(24)
    path = os.path.join(directory, token)
    fd = os.open(path + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w') as handle:
        handle.write('%s: %s:%d\n' % (token, host, port))
    os.rename(path + '.tmp', path)
    return token


def console_url(conf, token):
    path = 'websockify?' + urllib.parse.urlencode({'token': token})
    return '%s?%s' % (conf.vnc.novncproxy_base_url, urllib.parse.urlencode({'path': path}))


class Consoles(base.Controller):
    def _vnc_url(self, req, server_id):
        server = self.engine.get(base.context(req), server_id)
        self.authorize(req, 'os-remote-consoles', {'project_id': server['project_id']})
        endpoint = self.engine.get_vnc_console(base.context(req), server)
        return console_url(self.conf, issue_token(self.conf, endpoint['host'],
                                                  endpoint['port']))

    def create(self, req, server_id):
        if not base.at_least(req, '2.6'):
            raise exceptions.NotFound('The resource could not be found.')
        data = base.body(req, SCHEMA)['remote_console']
        if data['protocol'] != 'vnc' or data['type'] != 'novnc':
            raise exceptions.BadRequest('Unavailable console type %s: only vnc/novnc '
                                        'consoles are served here.' % data['type'])
        url = self._vnc_url(req, server_id)
        return {'remote_console': {'protocol': 'vnc', 'type': 'novnc', 'url': url}}

    def legacy_vnc(self, req, server_id, value):
        """The os-getVNCConsole action (before 2.6)."""
        if not isinstance(value, dict) or value.get('type') != 'novnc':
            raise exceptions.BadRequest("Invalid input for field 'os-getVNCConsole/type': "
                                        "only 'novnc' is served here.")
        return {'console': {'type': 'novnc', 'url': self._vnc_url(req, server_id)}}
