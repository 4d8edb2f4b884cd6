"""Fixtures of the blockstore functional tests: blockstore-api and blockstore-scheduler as
real daemons (subprocesses) on a private RabbitMQ vhost and a shared SQLite database,
authenticated by the real identity daemon (the session ``identity`` fixture) whose catalog
holds the block-storage and volumev3 endpoints; the volume daemon runs in this process (a
ManagerService on the same RabbitMQ) with the file driver, tgt played by the TEST FAKE of
tgtadm and backups in the TEST FAKE object store (tests/integration/blockstore covers tgt,
tests/functional/blockstore_backup the real object store)."""
import os
import subprocess
import uuid

import pytest

from blockstore import services as blockstore_services
from blockstore import conf as blockstore_conf
from blockstore.drivers import file as file_driver
from blockstore.drivers import tgt as tgt_mod
from blockstore.state import BlockstoreState
from blockstore.volume import manager as volume_manager
from common import config
from common.testing import daemons
from common.testing.fake_objectstore import FakeObjectStore
from common.testing.fake_tgtadm import FakeTgtadm

ROOT = daemons.REPO
BIN = os.path.join(ROOT, '.venv', 'bin')


def register_endpoints(identity, url):
    admin = identity.token()
    for service_type, name in (('block-storage', 'cinder'), ('volumev3', 'cinderv3')):
        _, _, found = identity.request('GET', '/v3/services?type=%s' % service_type,
                                       token=admin)
        if found['services']:
            service_id = found['services'][0]['id']
            _, _, eps = identity.request('GET', '/v3/endpoints?service_id=%s' % service_id,
                                         token=admin)
            for ep in eps['endpoints']:
                identity.request('DELETE', '/v3/endpoints/%s' % ep['id'], token=admin)
        else:
            _, _, body = identity.request('POST', '/v3/services', {'service': {
                'type': service_type, 'name': name}}, admin)
            service_id = body['service']['id']
        for interface in ('public', 'internal'):
            identity.request('POST', '/v3/endpoints', {'endpoint': {
                'service_id': service_id, 'interface': interface, 'url': url,
                'region_id': 'RegionOne'}}, admin)


class Cloud:
    def __init__(self, identity, conf, driver, tgt, workdir):
        self.identity, self.conf, self.driver, self.tgt = identity, conf, driver, tgt
        self.workdir = workdir

    def osc(self, *args, user='demo', check=True):
        env = dict(os.environ, **self.identity.os_env(user))
        proc = subprocess.run([os.path.join(BIN, 'openstack')] + list(args), env=env,
                              capture_output=True, text=True, timeout=120)
        if check and proc.returncode:
            raise AssertionError('openstack %s: %s %s' % (' '.join(args), proc.stdout,
                                                          proc.stderr))
        return proc

    def sdk(self, user='demo'):
        import openstack
        env = self.identity.os_env(user)
        return openstack.connect(
            auth_url=env['OS_AUTH_URL'], username=user, password=env['OS_PASSWORD'],
            project_name=user, user_domain_name='Default', project_domain_name='Default',
            region_name='RegionOne')


@pytest.fixture(scope='module')
def blockstore_cloud(identity, tmp_path_factory):
    workdir = tmp_path_factory.mktemp('blockstore')
    port = daemons.free_port()
    register_endpoints(identity, 'http://127.0.0.1:%d/v3/$(project_id)s' % port)
    amqp = daemons.private_rabbit_vhost('cs-blockstore-test')
    auth = identity.service_auth_options()
    ini = daemons.write_ini(str(workdir / 'blockstore.conf'), {
        'DEFAULT': {'state_path': str(workdir), 'transport_url': amqp,
                    'host': 'fnode-%s' % uuid.uuid4().hex[:6]},
        'api': {'bind_host': '127.0.0.1', 'bind_port': port,
                'public_endpoint': 'http://127.0.0.1:%d' % port,
                'paste_config': os.path.join(ROOT, 'etc', 'blockstore', 'api-paste.ini')},
        'database': {'connection': 'sqlite:///%s' % (workdir / 'blockstore.sqlite')},
        'keystone_authtoken': auth,
        'oslo_policy': {'policy_file': os.path.join(ROOT, 'etc', 'blockstore',
                                                    'policy.yaml')},
        'backend': {'volumes_dir': str(workdir / 'volumes'), 'volume_backend_name': 'file'},
        'blockstore': {'capacity_report_interval': 2},
    })
    subprocess.run([os.path.join(BIN, 'blockstore-manage'), '--config-file', ini, 'db-sync'],
                   check=True, capture_output=True)
    procs = []
    for name in ('blockstore-api', 'blockstore-scheduler'):
        log = open(str(workdir / ('%s.log' % name)), 'ab')
        procs.append(subprocess.Popen([os.path.join(BIN, name), '--config-file', ini],
                                      stdout=log, stderr=subprocess.STDOUT, cwd=ROOT))
    conf = config.ConfigOpts()
    blockstore_conf.register(conf)
    conf.load([ini])
    tgt = FakeTgtadm()
    driver = file_driver.FileDriver(volume_manager.backend_settings(conf, 'backend'),
                                    tgt=tgt_mod.TgtAdm(runner=tgt))
    services = blockstore_services.volume_services(conf, executor='threading', driver=driver,
                                                   backup_store=FakeObjectStore())
    try:
        daemons.wait_http('http://127.0.0.1:%d/' % port, 60, procs[0],
                          str(workdir / 'blockstore-api.log'))
        for svc in services:
            svc.start()
        yield Cloud(identity, conf, driver, tgt, workdir)
    finally:
        for svc in services:
            svc.stop()
        for svc in services:
            svc.wait()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        BlockstoreState.forget(conf)


