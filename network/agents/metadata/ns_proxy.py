"""The proxy run inside a DHCP or router namespace (stdlib only, started as a script).

It listens on 169.254.169.254:80 in the namespace, which the metadata agent cannot reach,
and hands every request to the agent over its unix socket, adding the guest's address and
the networks this namespace serves so the agent can tell which instance is asking.
"""
import argparse
import http.client
import http.server
import os
import socket
import socketserver
import sys

HOP_HEADERS = {'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding',
               'upgrade', 'te', 'trailer', 'host'}


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__('localhost', timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


def make_handler(socket_path, network_ids, router_id):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.0'

        def _forward(self):
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS
                       and not k.lower().startswith('x-cirrostack-')}
            headers['X-Forwarded-For'] = self.client_address[0]
            headers['X-Cirrostack-Network-ID'] = ','.join(network_ids)
            if router_id:
                headers['X-Cirrostack-Router-ID'] = router_id
            try:
                conn = UnixHTTPConnection(socket_path)
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except OSError as exc:
                self.send_error(502, 'metadata agent unreachable: %s' % exc)
                return
            self.send_response(resp.status, resp.reason)
            for key, value in resp.getheaders():
                if key.lower() not in HOP_HEADERS and key.lower() != 'content-length':
                    self.send_header(key, value)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_HEAD = _forward

        def log_message(self, fmt, *args):
            pass

    return Handler


class ProxyServer(http.server.ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def server_bind(self):
        # HTTPServer.server_bind resolves our own name via DNS, which in a router
        # namespace with a default route waits for a resolver that is not there.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


def daemonize(pid_file):
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    with open(pid_file + '.tmp', 'w') as handle:
        handle.write('%d\n' % os.getpid())
    os.rename(pid_file + '.tmp', pid_file)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pid-file', required=True)
    parser.add_argument('--socket', required=True, help="the metadata agent's unix socket")
    parser.add_argument('--bind', default='169.254.169.254')
    parser.add_argument('--port', type=int, default=80)
    parser.add_argument('--network-id', action='append', default=[])
    parser.add_argument('--router-id', default='')
    parser.add_argument('--foreground', action='store_true')
    args = parser.parse_args(argv)
    # Bind before detaching so a start that cannot listen fails visibly.
    server = ProxyServer((args.bind, args.port),
                         make_handler(args.socket, args.network_id, args.router_id))
    if not args.foreground:
        daemonize(args.pid_file)
    server.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
