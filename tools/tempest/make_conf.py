"""Write tempest.conf from the running cloud.

Reads the admin credentials from the environment (``source openrc admin``), asks the cloud
what it has (catalog, extensions, /info, import methods, image schema, probes of optional
identity APIs) and writes a tempest.conf whose feature flags say exactly that, so tempest
skips what this cloud does not offer and runs everything it does. Refuses to write a
config when any catalog endpoint is not on this machine: tempest must only ever talk to the
local cloud.

Usage: make_conf.py OUTPUT_CONF WORKSPACE_DIR [GUEST_IMAGE_FILE]
Prints the tempest test modules to run (one per line), in catalog order.
"""
import configparser
import ipaddress
import json
import os
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request

# Catalog service type -> (tempest service_available flag, tempest.api module).
SERVICES = {
    'identity': (None, 'identity'),
    'image': ('glance', 'image'),
    'object-store': ('swift', 'object_storage'),
    'network': ('neutron', 'network'),
    'compute': ('nova', 'compute'),
    'volumev3': ('cinder', 'volume'),
    'block-storage': ('cinder', 'volume'),
    'dashboard': ('horizon', None),
}
# How long tempest waits for an image, port or router to reach a state. Everything is on
# this machine and settles within seconds; tempest's 300 s only makes a broken wait slow.
BUILD_TIMEOUT = 60
# A server boots under QEMU TCG (no KVM here) in about 10 s alone, several times that with
# two tempest workers booting at once.
SERVER_BUILD_TIMEOUT = 300
# Module order of a run: cheap and independent first.
MODULE_ORDER = ['identity', 'image', 'object_storage', 'network', 'compute', 'volume']

# Optional identity APIs: a GET that answers 200 exactly when the API exists.
IDENTITY_PROBES = {
    'OS-TRUST': '/v3/OS-TRUST/trusts',
    'OS-OAUTH1': '/v3/OS-OAUTH1/consumers',
    'OS-EP-FILTER': '/v3/OS-EP-FILTER/endpoint_groups',
    'OS-FEDERATION': '/v3/OS-FEDERATION/identity_providers',
    'OS-REVOKE': '/v3/OS-REVOKE/events',
    'OS-EC2': '/v3/users/{user_id}/credentials/OS-EC2',
    'OS-INHERIT': ('/v3/OS-INHERIT/domains/{domain_id}/users/{user_id}'
                   '/roles/inherited_to_projects'),
    'OS-ENDPOINT-POLICY': '/v3/policies',
}
ACCESS_RULES_PROBE = '/v3/users/{user_id}/access_rules'
DOMAIN_CONFIG_PROBE = '/v3/domains/config/default'


class CloudError(Exception):
    pass


def _request(method, url, token=None, body=None):
    headers = {'Accept': 'application/json'}
    data = None
    if token:
        headers['X-Auth-Token'] = token
    if body is not None:
        data = json.dumps(body).encode()
        headers['Content-Type'] = 'application/json'
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    # The cloud is local: never go through a proxy the environment may name.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, dict(resp.headers), (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as exc:
        if exc.code == 300:  # a version list (urllib treats it as an error)
            return exc.code, dict(exc.headers), json.loads(exc.read() or b'null')
        return exc.code, dict(exc.headers), None


def _get(url, token):
    status, _, body = _request('GET', url, token)
    return body if status == 200 else None


def authenticate(env):
    """Project-scoped admin token and the token body (catalog, user, project)."""
    auth_url = env['OS_AUTH_URL'].rstrip('/')
    if not auth_url.endswith('/v3'):
        auth_url += '/v3'
    body = {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': env['OS_USERNAME'], 'password': env['OS_PASSWORD'],
            'domain': {'name': env.get('OS_USER_DOMAIN_NAME', 'Default')}}}},
        'scope': {'project': {'name': env['OS_PROJECT_NAME'],
                              'domain': {'name': env.get('OS_PROJECT_DOMAIN_NAME',
                                                         'Default')}}}}}
    status, headers, resp = _request('POST', auth_url + '/auth/tokens', body=body)
    if status != 201:
        raise CloudError('admin authentication at %s failed (HTTP %s)' % (auth_url, status))
    token = {k.lower(): v for k, v in headers.items()}['x-subject-token']
    return auth_url, token, resp['token']


def local_addresses():
    addrs = {'localhost'}
    host_ip = os.environ.get('HOST_IP')
    if host_ip:
        addrs.add(host_ip)
    return addrs


def is_local(url):
    host = urllib.parse.urlsplit(url).hostname or ''
    if host in local_addresses():
        return True
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def catalog_endpoints(token_body, region, interface='public'):
    """{service type: url} of the catalog for one region and interface."""
    found = {}
    for service in token_body.get('catalog', []):
        for ep in service.get('endpoints', []):
            if ep.get('interface') == interface and ep.get('region_id', ep.get('region')) == region:
                found[service['type']] = ep['url']
    return found


def check_local(token_body):
    """Every endpoint of the catalog is on this machine, or no config at all."""
    remote = [ep['url'] for svc in token_body.get('catalog', [])
              for ep in svc.get('endpoints', []) if not is_local(ep['url'])]
    if remote:
        raise CloudError('the catalog names endpoints that are not on this machine: %s; '
                         'tempest only runs against the local cloud' % ', '.join(remote))


def identity_features(base, token, token_body):
    user_id = token_body['user']['id']
    domain_id = token_body['user']['domain']['id']

    def probe(path):
        url = base[:-len('/v3')] + path.format(user_id=user_id, domain_id=domain_id)
        return _request('GET', url, token)[0] == 200

    extensions = sorted(name for name, path in IDENTITY_PROBES.items() if probe(path))
    return {
        'api_extensions': extensions,
        'trust': 'OS-TRUST' in extensions,
        'access_rules': probe(ACCESS_RULES_PROBE),
        'domain_specific_drivers': probe(DOMAIN_CONFIG_PROBE),
    }


def default_domain_id(base, token):
    body = _get(base + '/domains?name=Default', token) or {}
    domains = body.get('domains') or []
    return domains[0]['id'] if domains else 'default'


def image_features(url, token):
    url = url.rstrip('/')
    info = _get(url + '/v2/info/import', token) or {}
    methods = (info.get('import-methods') or {}).get('value') or []
    schema = _get(url + '/v2/schemas/image', token) or {}
    props = schema.get('properties', {})

    def enum(name, default):
        values = [v for v in (props.get(name) or {}).get('enum') or [] if v]
        return values or default

    images = (_get(url + '/v2/images?name=guest&status=active', token) or {}).get('images', [])
    return {
        'import_methods': methods,
        'disk_formats': enum('disk_format', ['qcow2', 'raw']),
        'container_formats': enum('container_format', ['bare']),
        'guest_image': images[0]['id'] if images else None,
        'stores': [s['id'] for s in (_get(url + '/v2/info/stores', token) or {})
                   .get('stores', [])],
    }


def object_storage_features(url, token):
    parts = urllib.parse.urlsplit(url)
    info = _get('%s://%s/info' % (parts.scheme, parts.netloc), token) or {}
    digests = (info.get('tempurl') or {}).get('allowed_digests') or ['sha1']
    realms = (info.get('container_sync') or {}).get('realms') or {}
    realm = next((r for r in sorted(realms) if realms[r].get('clusters')), None)
    return {
        'discoverable_apis': sorted(k for k in info if k != 'swift'),
        # Old-style sync (X-Container-Sync-To a full URL of any host) is refused here by
        # design: containers sync only through the realms the operator configured.
        'container_sync': False,
        'sync_realm': realm,
        'sync_cluster': sorted(realms[realm]['clusters'])[0] if realm else None,
        'object_versioning': 'versioned_writes' in info,
        'discoverability': bool(info),
        'tempurl_digest': 'sha256' if 'sha256' in digests else digests[0],
    }


def network_features(url, token):
    url = url.rstrip('/')
    exts = (_get(url + '/v2.0/extensions', token) or {}).get('extensions', [])
    aliases = sorted(e['alias'] for e in exts)
    nets = (_get(url + '/v2.0/networks?router:external=True', token) or {}).get('networks', [])
    public = next((n for n in nets if n['name'] == 'public'), nets[0] if nets else None)
    return {'extensions': aliases, 'public': public}


def _version_range(url, token):
    """(min, max) microversion of an API's current version document, or (None, None)."""
    parts = urllib.parse.urlsplit(url)
    # Cinder answers its version list with 300 Multiple Choices, Nova with 200.
    status, _, body = _request('GET', '%s://%s/' % (parts.scheme, parts.netloc), token)
    versions = (body or {}).get('versions', []) if status in (200, 300) else []
    current = next((v for v in versions if v.get('status') == 'CURRENT' and v.get('version')),
                   None)
    return (current['min_version'], current['version']) if current else (None, None)


def compute_features(url, token):
    url = url.rstrip('/')
    flavors = (_get(url + '/flavors/detail', token) or {}).get('flavors', [])
    flavors.sort(key=lambda f: (f.get('ram', 0), f.get('vcpus', 0), f.get('disk', 0)))
    hosts = (_get(url + '/os-hypervisors', token) or {}).get('hypervisors', [])
    low, high = _version_range(url, token)
    return {'flavors': [f['id'] for f in flavors], 'hosts': len(hosts),
            'min_microversion': low, 'max_microversion': high}


def volume_features(url, token):
    low, high = _version_range(url, token)
    pools = (_get(url.rstrip('/') + '/scheduler-stats/get_pools', token) or {}).get('pools', [])
    backends = sorted({p['name'].split('#')[0].split('@')[-1] for p in pools if '@' in p['name']})
    return {'min_microversion': low, 'max_microversion': high, 'backends': backends}


def _flag(value):
    return 'true' if value else 'false'


def build(env, workspace, guest_file=None):
    """(ConfigParser, [tempest.api modules to run]) for the cloud the environment names."""
    region = env.get('OS_REGION_NAME', 'RegionOne')
    base, token, body = authenticate(env)
    check_local(body)
    endpoints = catalog_endpoints(body, region)
    conf = configparser.ConfigParser(interpolation=None)
    conf.optionxform = str

    def section(name, **values):
        if name != 'DEFAULT' and not conf.has_section(name):
            conf.add_section(name)
        for key, value in values.items():
            conf.set(name, key, value if isinstance(value, str) else
                     (_flag(value) if isinstance(value, bool) else
                      ','.join(value) if isinstance(value, list) else str(value)))

    available = {flag: False for flag, _ in SERVICES.values() if flag}
    modules = set()
    for svc_type in endpoints:
        flag, module = SERVICES.get(svc_type, (None, None))
        if flag:
            available[flag] = True
        if module:
            modules.add(module)
    has_compute = available['nova']

    section('DEFAULT', log_file=os.path.join(workspace, 'tempest.log'),
            use_stderr='false')
    section('oslo_concurrency', lock_path=os.path.join(workspace, 'lock'))
    section('auth', use_dynamic_credentials=True,
            admin_username=env['OS_USERNAME'], admin_password=env['OS_PASSWORD'],
            admin_project_name=env['OS_PROJECT_NAME'],
            admin_domain_name=env.get('OS_USER_DOMAIN_NAME', 'Default'),
            admin_user_domain_name=env.get('OS_USER_DOMAIN_NAME', 'Default'),
            admin_project_domain_name=env.get('OS_PROJECT_DOMAIN_NAME', 'Default'),
            default_credentials_domain_name='Default',
            # A network, subnet and router per test credential only matter to tests
            # that boot servers; without compute they would just cost namespaces.
            create_isolated_networks=has_compute)
    section('identity', uri_v3=base, auth_version='v3', region=region,
            v3_endpoint_type='public', admin_role='admin',
            default_domain_id=default_domain_id(base, token),
            disable_ssl_certificate_validation=False)
    idf = identity_features(base, token, body)
    section('identity-feature-enabled', api_v2=False, api_v3=True,
            api_extensions=idf['api_extensions'], trust=idf['trust'],
            access_rules=idf['access_rules'],
            domain_specific_drivers=idf['domain_specific_drivers'],
            # No password lockout or history rules are configured on this cloud.
            security_compliance=False, immutable_user_source=False)
    section('service_available', **available)

    guest_image = None
    if 'image' in endpoints:
        imf = image_features(endpoints['image'], token)
        guest_image = imf['guest_image']
        # web-download would fetch from outside; point it at a closed local port anyway.
        section('image', region=region, endpoint_type='publicURL',
                disk_formats=imf['disk_formats'], container_formats=imf['container_formats'],
                http_image='http://127.0.0.1:9/guest.img',
                http_qcow2_image='http://127.0.0.1:9/guest.qcow2',
                hashing_algorithm='sha512', build_timeout=BUILD_TIMEOUT)
        section('image-feature-enabled', api_v2=True, api_v1=False,
                import_image='glance-direct' in imf['import_methods'],
                os_glance_reserved=True, manage_locations=False, image_conversion=False,
                http_store_enabled=False, do_secure_hash=True)
    if 'object-store' in endpoints:
        osf = object_storage_features(endpoints['object-store'], token)
        section('object-storage', region=region, endpoint_type='publicURL',
                operator_role='member', reseller_admin_role='ResellerAdmin')
        if osf['sync_realm']:
            section('object-storage', realm_name=osf['sync_realm'],
                    cluster_name=osf['sync_cluster'])
        section('object-storage-feature-enabled',
                discoverable_apis=osf['discoverable_apis'] or [''],
                container_sync=osf['container_sync'],
                object_versioning=osf['object_versioning'],
                discoverability=osf['discoverability'],
                tempurl_digest_hashlib=osf['tempurl_digest'])
    public = None
    if 'network' in endpoints:
        nwf = network_features(endpoints['network'], token)
        public = nwf['public']
        net = {'region': region, 'endpoint_type': 'publicURL', 'build_timeout': BUILD_TIMEOUT,
               'project_network_cidr': '10.100.0.0/16', 'project_network_mask_bits': 28}
        if public:
            net.update(public_network_id=public['id'], floating_network_name=public['name'])
        section('network', **net)
        section('network-feature-enabled', ipv6=True, ipv6_subnet_attributes=True,
                api_extensions=nwf['extensions'] or [''],
                port_security='port-security' in nwf['extensions'],
                floating_ips='router' in nwf['extensions'] and public is not None,
                port_admin_state_change=True)

    compute = {'region': region, 'build_timeout': SERVER_BUILD_TIMEOUT}
    cof = {'hosts': 0}
    if guest_image:
        compute.update(image_ref=guest_image, image_ref_alt=guest_image)
    if has_compute:
        cof = compute_features(endpoints['compute'], token)
        flavors = cof['flavors']
        if flavors:
            compute.update(flavor_ref=flavors[0],
                           flavor_ref_alt=flavors[1] if len(flavors) > 1 else flavors[0])
        if cof['max_microversion']:
            compute.update(min_microversion=cof['min_microversion'],
                           max_microversion=cof['max_microversion'])
        compute['min_compute_nodes'] = max(1, cof['hosts'])
    if public:
        compute['fixed_network_name'] = 'private'
    section('compute', **compute)
    # Settings for the tests that log into guests, once compute exists: the guest image
    # devstack builds has a user 'guest' (password 'gueststack') and uses udhcpc.
    section('validation', run_validation=has_compute and public is not None,
            connect_method='floating', auth_method='keypair', ip_version_for_ssh=4,
            image_ssh_user='guest', image_ssh_password='gueststack',
            image_alt_ssh_user='guest', image_alt_ssh_password='gueststack',
            network_for_ssh=public['name'] if public else 'public', ssh_timeout=300)
    scenario = {'dhcp_client': 'udhcpc', 'img_disk_format': 'qcow2',
                'img_container_format': 'bare'}
    if guest_file:
        scenario['img_file'] = guest_file
    section('scenario', **scenario)
    volume = {'region': region, 'build_timeout': SERVER_BUILD_TIMEOUT,
              'storage_protocol': 'iSCSI'}
    vof = {'backends': []}
    if 'volumev3' in endpoints or 'block-storage' in endpoints:
        vof = volume_features(endpoints.get('volumev3') or endpoints['block-storage'], token)
        if vof['max_microversion']:
            volume.update(min_microversion=vof['min_microversion'],
                          max_microversion=vof['max_microversion'])
        if vof['backends']:
            volume['backend_names'] = vof['backends']
    section('volume', **volume)
    section('volume-feature-enabled', backup='object-store' in endpoints,
            snapshot=True, clone=True, multi_backend=len(vof['backends']) > 1,
            # Volumes grow only while detached (the guest's disk size is fixed at attach).
            extend_attached_volume=False, manage_volume=False, manage_snapshot=False)
    multi_host = cof['hosts'] > 1
    section('compute-feature-enabled', console_output=has_compute, resize=has_compute,
            pause=True, suspend=True, shelve=True, rescue=True, snapshot=True,
            interface_attach=True, config_drive=True, metadata_service=True,
            vnc_console=has_compute, enable_instance_password=True,
            # What one host cannot do, and what this driver does not offer.
            cold_migration=multi_host, live_migration=multi_host, shelve_migrate=multi_host,
            change_password=False, spice_console=False, serial_console=False,
            stable_rescue=False, swap_volume=False, volume_multiattach=False,
            attach_encrypted_volume=False, ide_bus=False, personality=False,
            scheduler_enabled_filters=['ComputeFilter', 'RamFilter', 'DiskFilter',
                                       'AvailabilityZoneFilter', 'ImagePropertiesFilter',
                                       'ServerGroupAntiAffinityFilter',
                                       'ServerGroupAffinityFilter'])

    return conf, [m for m in MODULE_ORDER if m in modules]


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, workspace = argv[1], argv[2]
    guest = argv[3] if len(argv) > 3 and os.path.exists(argv[3]) else None
    try:
        conf, modules = build(os.environ, workspace, guest)
    except (CloudError, KeyError, urllib.error.URLError, OSError) as exc:
        print('tempest config: %s' % exc, file=sys.stderr)
        return 1
    tmp = out + '.tmp'
    with open(tmp, 'w') as f:
        conf.write(f)
    # The file holds the admin password.
    os.chmod(tmp, 0o600)
    os.replace(tmp, out)
    print('\n'.join(modules))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
