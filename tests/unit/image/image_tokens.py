"""Token source for image tests until an identity fixture exists: a key repository whose
public keys a tiny HTTP server publishes at /v3/auth/keys, and tokens signed with it."""
import http.server
import json
import threading
import time
import uuid

from common.auth import tokens


class TokenSource:
    def __init__(self, key_dir):
        self.repo = tokens.KeyRepository(str(key_dir))
        self.repo.setup()
        repo = self.repo

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != '/v3/auth/keys':
                    self.send_error(404)
                    return
                body = json.dumps(repo.jwks()).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def token(self, project='p-alice', roles=('member', 'reader'), user=None, lifetime=3600):
        now = int(time.time())
        claims = {'sub': user or 'u-' + project, 'name': user or 'user-' + project,
                  'udom': {'id': 'default', 'name': 'Default'}, 'methods': ['password'],
                  'iat': now, 'exp': now + lifetime, 'audit_ids': [uuid.uuid4().hex[:22]],
                  'project': {'id': project, 'name': project,
                              'domain': {'id': 'default', 'name': 'Default'}},
                  'roles': [{'id': r, 'name': r} for r in roles]}
        return tokens.sign(claims, self.repo)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
