"""WSGI app behind the namespace proxies: find the instance, sign, forward to compute."""
import hashlib
import hmac
import http.client
import logging

LOG = logging.getLogger(__name__)
FORWARD_HEADERS = ('Content-Type', 'Accept', 'User-Agent')


def sign(secret, instance_id):
    """X-Instance-ID-Signature: HMAC-SHA256 of the instance id, hex."""
    return hmac.new(secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()


class MetadataApp:
    def __init__(self, lookup, nova_host, nova_port, secret, timeout=30):
        """``lookup(network_id, ip)`` returns get_ports_by_ip's list."""
        self.lookup = lookup
        self.nova_host, self.nova_port = nova_host, nova_port
        self.secret = secret
        self.timeout = timeout

    def find_instance(self, ip, network_ids):
        for network_id in network_ids:
            for port in self.lookup(network_id, ip) or []:
                if port.get('device_id') and not (port.get('device_owner') or '').startswith(
                        'network:'):
                    return port
        return None

    def __call__(self, environ, start_response):
        ip = environ.get('HTTP_X_FORWARDED_FOR', '').split(',')[0].strip()
        networks = [n for n in environ.get('HTTP_X_CIRROSTACK_NETWORK_ID', '').split(',') if n]
        try:
            port = self.find_instance(ip, networks) if ip and networks else None
        except Exception as exc:
            LOG.error('instance lookup for %s failed: %s', ip, exc)
            return self._reply(start_response, 500, b'instance lookup failed\n')
        if port is None:
            LOG.info('metadata request from unknown address %s on %s', ip, networks)
            return self._reply(start_response, 404, b'no instance with this address\n')
        return self._forward(environ, start_response, ip, port)

    def _forward(self, environ, start_response, ip, port):
        length = int(environ.get('CONTENT_LENGTH') or 0)
        body = environ['wsgi.input'].read(length) if length else None
        path = environ.get('PATH_INFO', '/')
        if environ.get('QUERY_STRING'):
            path += '?' + environ['QUERY_STRING']
        headers = {'X-Forwarded-For': ip, 'X-Instance-ID': port['device_id'],
                   'X-Tenant-ID': port.get('project_id') or '',
                   'X-Instance-ID-Signature': sign(self.secret, port['device_id'])}
        for name in FORWARD_HEADERS:
            value = environ.get('HTTP_' + name.upper().replace('-', '_')) or (
                environ.get(name.upper().replace('-', '_')))
            if value:
                headers[name] = value
        try:
            conn = http.client.HTTPConnection(self.nova_host, self.nova_port,
                                              timeout=self.timeout)
            conn.request(environ['REQUEST_METHOD'], path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError as exc:
            LOG.error('compute metadata service unreachable: %s', exc)
            return self._reply(start_response, 502, b'metadata service unreachable\n')
        out = [(k, v) for k, v in resp.getheaders()
               if k.lower() in ('content-type', 'last-modified', 'etag')]
        return self._reply(start_response, resp.status, data, out, resp.reason)

    @staticmethod
    def _reply(start_response, status, data, headers=(), reason=None):
        reason = reason or http.client.responses.get(status, '')
        start_response('%d %s' % (status, reason),
                       list(headers) + [('Content-Length', str(len(data)))])
        return [data]
