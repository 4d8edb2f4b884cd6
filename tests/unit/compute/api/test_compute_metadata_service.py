"""compute-metadata: signed requests only; OpenStack and EC2 documents of the server."""
import base64
import hashlib
import hmac
import json
import uuid

import webob

from compute import metadata
from compute.api import state as state_mod
from compute.db import instances
from compute.metadata import app as metadata_app

SECRET = 's3cret'


def _server(db):
    uid = str(uuid.uuid4())
    with db.session() as sess:
        instances.create(sess, dict(
            uuid=uid, project_id='demo', user_id='u', display_name='Web Server 1',
            hostname='web-server-1',
            flavor_id='1', flavor={'id': '1', 'name': 'm1.nano', 'vcpus': 1,
                                   'memory_mb': 128, 'root_gb': 1},
            key_name='k1', key_data='ssh-ed25519 AAAA k1',
            user_data=base64.b64encode(b'#!/bin/sh\necho hi\n').decode(),
            reservation_id='r-1', availability_zone='nova', metadata_={'role': 'web'},
            network_info=[{'port_id': str(uuid.uuid4()), 'mac': 'fa:16:3e:00:00:01',
                           'network_id': 'n', 'network_name': 'private',
                           'fixed_ips': [{'address': '10.0.0.5', 'version': 4,
                                          'cidr': '10.0.0.0/24'}],
                           'floating_ips': []}]))
    return uid


def _get(app, path, uid, signature=None):
    req = webob.Request.blank(path)
    req.headers['X-Instance-ID'] = uid
    req.headers['X-Instance-ID-Signature'] = signature or hmac.new(
        SECRET.encode(), uid.encode(), hashlib.sha256).hexdigest()
    req.headers['X-Tenant-ID'] = 'demo'
    return req.get_response(app)


def test_metadata_documents(compute_conf_obj):
    metadata.register_opts(compute_conf_obj)
    compute_conf_obj.set_override('metadata_proxy_shared_secret', SECRET, 'metadata')
    db = state_mod.get(compute_conf_obj).db
    uid = _server(db)
    app = metadata_app.MetadataApp(compute_conf_obj, db)
    assert _get(app, '/openstack/latest/meta_data.json', uid, 'bad').status_int == 403
    assert _get(app, '/openstack/latest/meta_data.json', str(uuid.uuid4())).status_int == 404
    meta = json.loads(_get(app, '/openstack/latest/meta_data.json', uid).body)
    assert meta['uuid'] == uid and meta['public_keys'] == {'k1': 'ssh-ed25519 AAAA k1'}
    assert meta['meta'] == {'role': 'web'}
    # The server's name and hostname as the compute API gives them (not instance-<uuid>).
    assert meta['name'] == 'Web Server 1' and meta['hostname'] == 'web-server-1.novalocal'
    for path in ('hostname', 'local-hostname', 'public-hostname'):
        assert _get(app, '/latest/meta-data/' + path, uid).text == 'web-server-1.novalocal'
    assert _get(app, '/openstack/latest/user_data', uid).body == b'#!/bin/sh\necho hi\n'
    net = json.loads(_get(app, '/openstack/latest/network_data.json', uid).body)
    assert net['links'][0]['ethernet_mac_address'] == 'fa:16:3e:00:00:01'
    listing = _get(app, '/openstack/latest', uid).text.split('\n')
    assert 'user_data' in listing and 'network_data.json' in listing
    assert _get(app, '/latest/meta-data/local-ipv4', uid).text == '10.0.0.5'
    assert _get(app, '/latest/meta-data/public-keys/', uid).text == '0=k1'
    assert _get(app, '/latest/meta-data/public-keys/0/openssh-key', uid).text == \
        'ssh-ed25519 AAAA k1'
    assert _get(app, '/latest/user-data', uid).body.startswith(b'#!/bin/sh')


def _post(app, path, uid, body):
    req = webob.Request.blank(path, method='POST', body=body)
    req.headers['X-Instance-ID'] = uid
    req.headers['X-Instance-ID-Signature'] = hmac.new(
        SECRET.encode(), uid.encode(), hashlib.sha256).hexdigest()
    return req.get_response(app)


def test_guest_posts_its_password_once_and_the_owner_reads_and_clears_it(
        compute_conf_obj, api):
    metadata.register_opts(compute_conf_obj)
    compute_conf_obj.set_override('metadata_proxy_shared_secret', SECRET, 'metadata')
    db = state_mod.get(compute_conf_obj).db
    uid = _server(db)
    app = metadata_app.MetadataApp(compute_conf_obj, db)
    assert 'password' in _get(app, '/openstack/latest', uid).text.split('\n')
    assert _get(app, '/openstack/2012-08-10/password', uid).status_int == 404
    assert _post(app, '/openstack/latest/password', uid, b'x' * 257).status_int == 400
    assert _post(app, '/openstack/latest/password', uid, b'enc\x01').status_int == 400
    assert _post(app, '/openstack/latest/password', uid, b'ENCRYPTED==').status_int == 200
    assert _post(app, '/openstack/latest/password', uid, b'other').status_int == 409
    assert _get(app, '/openstack/latest/password', uid).text == 'ENCRYPTED=='
    path = '/v2.1/servers/%s/os-server-password' % uid
    assert api.ok('GET', path) == {'password': 'ENCRYPTED=='}
    assert api.call('DELETE', path, token=api.reader)[0] == 403
    assert api.call('DELETE', path)[0] == 204
    assert api.ok('GET', path) == {'password': ''}
    assert api.call('GET', path, token=api.other)[0] == 404
