"""os-server-password: the password a guest posted to the metadata service (encrypted
with the server's key pair by the guest), read and cleared by the server's owner."""
from compute.api import base
from compute.db import instances


class ServerPassword(base.Controller):
    def _server(self, req, server_id, rule):
        server = self.engine.get(base.context(req), server_id)
        self.authorize(req, rule, {'project_id': server['project_id'],
                                   'user_id': server['user_id']})
        return server

    def index(self, req, server_id):
        server = self._server(req, server_id, 'os-server-password:show')
        return {'password': (server.get('system_metadata') or {}).get('password') or ''}

    def clear(self, req, server_id):
        server = self._server(req, server_id, 'os-server-password:clear')
        instances.set_password(self.db, server['uuid'], '')
        return base.no_content()
