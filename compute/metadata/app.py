"""The metadata WSGI app: checks the proxy's signature, finds the server, renders paths.

Paths (as Nova serves them): ``/`` (EC2 versions), ``/openstack`` (its versions),
``/openstack/<version>/{meta_data.json,user_data,network_data.json,vendor_data.json,
vendor_data2.json}``, ``/<ec2 version>/meta-data/...`` and ``/<ec2 version>/user-data``.
"""
import base64
import binascii
import hashlib
import hmac
import logging

import webob
import webob.dec

from compute import exceptions as cexc
from compute import instance_metadata
from compute.db import instances
from compute.drivers import base as driver_base
from compute.worker import manager as worker_manager

LOG = logging.getLogger(__name__)
EC2_PATH_VERSIONS = ('1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10',
                     '2007-12-15', '2008-02-01', '2008-09-01', '2009-04-04', 'latest')


# Nova keeps at most 256 bytes of the password a guest posts (encrypted, base64).
PASSWORD_MAX = 256


def _is_password(parts):
    """/openstack/<version>/password, in the versions that have it (2013-04-04 on)."""
    return (len(parts) == 3 and parts[0] == 'openstack' and parts[2] == 'password'
            and parts[1] in instance_metadata.OPENSTACK_VERSIONS[1:])


def _text(status, body, content_type='text/plain'):
    if isinstance(body, str):
        body = body.encode('utf-8')
    return webob.Response(status=status, body=body, content_type=content_type,
                          charset='UTF-8' if content_type.startswith('text/') else None)


def _user_data(server):
    raw = server.get('user_data')
    if not raw:
        return None
    try:
        return base64.b64decode(raw)
    except (binascii.Error, ValueError):
        return None


def build_metadata(server, dhcp_domain):
    """The InstanceMetadata of a server dict (CONTRACT.md)."""
    inst = dict(worker_manager.driver_instance(server), user_data=_user_data(server))
    vifs = [driver_base.VIF.from_dict(v) for v in server.get('network_info') or []]
    floating = [a for v in server.get('network_info') or [] for a in v.get('floating_ips', [])]
    return instance_metadata.InstanceMetadata(
        driver_base.Instance.from_dict(inst), vifs, dhcp_domain=dhcp_domain,
        floating_ips=floating)


def _ec2_render(tree, parts):
    """A node of the EC2 tree: a leaf as text, a branch as its listing."""
    node = tree
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if isinstance(node, dict):
        lines = []
        for key, value in node.items():
            if key == '_name':
                continue
            if isinstance(value, dict):
                lines.append(value['_name'] if '_name' in value else key + '/')
            else:
                lines.append(key)
        return '\n'.join(lines)
    if isinstance(node, list):
        return '\n'.join(str(v) for v in node)
    return str(node)


def _ec2_tree(md):
    tree = md.ec2_metadata()
    keys = tree.get('public-keys')
    if keys:
        # /public-keys/ lists "0=name"; /public-keys/0/ lists openssh-key
        tree['public-keys'] = {k: dict(v) for k, v in keys.items()}
    return tree


class MetadataApp:
    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def _server(self, req):
        instance_id = req.headers.get('X-Instance-ID', '')
        signature = req.headers.get('X-Instance-ID-Signature', '')
        secret = self.conf.metadata.metadata_proxy_shared_secret
        if not instance_id or not secret:
            LOG.warning('metadata request without instance id or with no secret configured')
            return None, _text(400, 'Missing instance id or no shared secret configured.\n')
        expected = hmac.new(secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            LOG.warning('metadata request for %s with a bad signature from %s',
                        instance_id[:64], req.headers.get('X-Forwarded-For'))
            return None, _text(403, 'Invalid proxy request signature.\n')
        try:
            server = instances.get(self.db, instance_id)
        except cexc.InstanceNotFound:
            return None, _text(404, 'Instance not found.\n')
        tenant = req.headers.get('X-Tenant-ID')
        if tenant and tenant != server['project_id']:
            return None, _text(404, 'Instance not found.\n')
        return server, None

    @webob.dec.wsgify
    def __call__(self, req):
        parts = [p for p in req.path_info.split('/') if p]
        if req.method == 'POST' and _is_password(parts):
            return self._post_password(req)
        if req.method not in ('GET', 'HEAD'):
            return _text(405, 'Method not allowed.\n')
        if not parts:
            return _text(200, '\n'.join(EC2_PATH_VERSIONS))
        server, error = self._server(req)
        if error is not None:
            return error
        md = build_metadata(server, self.conf.metadata.dhcp_domain)
        if _is_password(parts):
            return _text(200, (server.get('system_metadata') or {}).get('password') or '')
        if parts[0] == 'openstack':
            return self._openstack(md, parts[1:])
        if parts[0] in EC2_PATH_VERSIONS:
            return self._ec2(md, parts[1:])
        return _text(404, 'Not found.\n')

    def _post_password(self, req):
        """The guest's (encrypted) password, posted once: a second post is 409, as in
        Nova; the owner reads it with ``GET /servers/{id}/os-server-password``."""
        server, error = self._server(req)
        if error is not None:
            return error
        if req.content_length is None or req.content_length > PASSWORD_MAX:
            return _text(400, 'The password must be at most %d bytes.\n' % PASSWORD_MAX)
        try:
            password = req.body.decode('utf-8')
        except UnicodeDecodeError:
            return _text(400, 'The password must be UTF-8 text.\n')
        if any(ord(c) < 32 for c in password):
            return _text(400, 'The password must not hold control characters.\n')
        if not instances.set_password(self.db, server['uuid'], password, only_if_unset=True):
            return _text(409, 'A password was set already.\n')
        return _text(200, '')

    def _openstack(self, md, parts):
        if not parts:
            return _text(200, '\n'.join(instance_metadata.OPENSTACK_VERSIONS))
        version = parts[0]
        if version not in instance_metadata.OPENSTACK_VERSIONS:
            return _text(404, 'Not found.\n')
        if len(parts) == 1:
            names = [n for n in ('meta_data.json', 'user_data', 'network_data.json',
                                 'vendor_data.json', 'vendor_data2.json')
                     if md.openstack_document(version, n) is not None]
            if _is_password(['openstack', version, 'password']):
                names.append('password')
            return _text(200, '\n'.join(names))
        if len(parts) != 2:
            return _text(404, 'Not found.\n')
        content = md.openstack_document(version, parts[1])
        if content is None:
            return _text(404, 'Not found.\n')
        if parts[1] == 'user_data':
            return webob.Response(status=200, body=content,
                                  content_type='application/octet-stream')
        return _text(200, content, 'application/json')

    def _ec2(self, md, parts):
        if not parts:
            names = ['meta-data'] + (['user-data'] if md.instance.user_data is not None else [])
            return _text(200, '\n'.join(names))
        if parts[0] == 'user-data' and len(parts) == 1:
            if md.instance.user_data is None:
                return _text(404, 'Not found.\n')
            return webob.Response(status=200, body=md.instance.user_data,
                                  content_type='application/octet-stream')
        if parts[0] != 'meta-data':
            return _text(404, 'Not found.\n')
        tree = _ec2_tree(md)
        rest = parts[1:]
        if rest and rest[0] == 'public-keys' and len(rest) >= 2:
            rest = ['public-keys', rest[1].split('=', 1)[0]] + rest[2:]
        rendered = _ec2_render(tree, rest)
        if rendered is None:
            return _text(404, 'Not found.\n')
        return _text(200, rendered)

