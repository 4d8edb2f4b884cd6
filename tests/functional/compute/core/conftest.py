"""A compute cloud of real daemons for the boot-path functional tests: identity, image-api,
network-api, compute-api, compute-conductor, compute-scheduler and compute-worker (the
fake virt driver: no guests), over a private RabbitMQ vhost and SQLite databases.

The test itself plays the network bridge agent (which needs real taps): it reports a
server's port ACTIVE over the network service's agent RPC, and the network service then
tells compute ``network-vif-plugged`` through the compute API, as in a real cloud.
"""
import os
import subprocess
import sys
import time

import pytest
import requests

from common.testing import daemons

ROOT = daemons.REPO


class Stack:
    def __init__(self, tmp, identity):
        self.tmp = tmp
        self.identity = identity
        self.amqp = daemons.private_rabbit_vhost('cs-compute-core')
        self.procs = {}
        try:
            self._start_all(tmp, identity)
        except BaseException:
            self.stop()      # no daemon outlives a failed start
            raise

    def _start_all(self, tmp, identity):
        self.ports = {name: daemons.free_port() for name in ('image', 'network', 'compute')}
        self.urls = {name: 'http://127.0.0.1:%d' % port for name, port in self.ports.items()}
        auth = dict(identity.service_auth_options(), revocation_push='false')
        admin = {'auth_url': identity.url + '/v3', 'username': 'admin',
                 'password': identity.admin_password, 'project_name': 'admin'}
        common = {'transport_url': self.amqp, 'report_interval': 2,
                  'service_down_time': 20}
        self._start('image-api', 'image.cmd', 'image', {
            'DEFAULT': dict(common, state_path=tmp / 'image', enabled_backends='file1:file'),
            'api': {'bind_host': '127.0.0.1', 'bind_port': self.ports['image'],
                    'paste_config': os.path.join(ROOT, 'etc/image/api-paste.ini')},
            'glance_store': {'default_backend': 'file1'},
            'keystone_authtoken': auth,
            'oslo_policy': {'policy_file': os.path.join(ROOT, 'etc/image/policy.yaml')}},
            self.urls['image'])
        self._start('network-api', 'network.cmd', 'network', {
            'DEFAULT': dict(common, state_path=tmp / 'network', host='netnode'),
            'api': {'bind_host': '127.0.0.1', 'bind_port': self.ports['network'],
                    'paste_config': os.path.join(ROOT, 'etc/network/api-paste.ini')},
            'keystone_authtoken': dict(auth, fault_style='neutron'),
            'oslo_policy': {'policy_file': os.path.join(ROOT, 'etc/network/policy.yaml')},
            'nova': dict(admin, notify_port_status_changes='true',
                         endpoint_override=self.urls['compute'] + '/v2.1')},
            self.urls['network'])
        compute_conf = {
            'DEFAULT': dict(common, state_path=tmp / 'compute', host='cmp1'),
            'api': {'bind_host': '127.0.0.1', 'bind_port': self.ports['compute'],
                    'paste_config': os.path.join(ROOT, 'etc/compute/api-paste.ini')},
            'database': {'connection': 'sqlite:///%s' % (tmp / 'compute.sqlite')},
            'keystone_authtoken': dict(auth, fault_style='nova'),
            'oslo_policy': {'policy_file': os.path.join(ROOT, 'etc/compute/policy.yaml')},
            'compute': {'compute_driver': 'fake', 'vif_plugging_timeout': 60,
                        'resource_report_interval': 2},
            'service_user': dict(admin, image_endpoint=self.urls['image'],
                                 network_endpoint=self.urls['network']),
        }
        os.makedirs(tmp / 'compute', exist_ok=True)
        self.compute_conf = daemons.write_ini(str(tmp / 'compute.conf'), compute_conf)
        self._db_sync('compute', self.compute_conf)
        self._start('compute-api', 'compute.cmd', None, None, self.urls['compute'],
                    conf_path=self.compute_conf)
        for role in ('conductor', 'scheduler', 'worker'):
            self.start_compute(role)
        self.admin = identity.token()
        self.demo = identity.token('demo', project='demo')
        self._wait_for_worker()

    @staticmethod
    def _db_sync(svc, conf_path):
        subprocess.run([sys.executable, '-m', '%s.manage' % svc, '--config-file', conf_path,
                        'db_sync'], cwd=ROOT, check=True, capture_output=True,
                       env=dict(os.environ, PYTHONPATH=ROOT))

    def _start(self, name, module, svc, sections, url=None, conf_path=None):
        if conf_path is None:
            os.makedirs(sections['DEFAULT']['state_path'], exist_ok=True)
            conf_path = daemons.write_ini(str(self.tmp / ('%s.conf' % name)), sections)
            if os.path.exists(os.path.join(ROOT, svc, 'manage.py')):
                self._db_sync(svc, conf_path)
        proc = daemons.Daemon(module, conf_path, str(self.tmp / ('%s.log' % name))).start()
        self.procs[name] = proc
        if url:
            daemons.wait_http(url, timeout=60, proc=proc.proc, log_path=proc.log_path)
        return proc

    def start_compute(self, role):
        return self._start('compute-%s' % role, 'compute.%s' % role, None, None,
                           conf_path=self.compute_conf)

    def _wait_for_worker(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hyps = self.call('GET', 'compute', '/v2.1/os-hypervisors', self.admin,
                             ok=False)
            if hyps.status_code == 200 and hyps.json()['hypervisors']:
                return
            time.sleep(0.5)
        raise RuntimeError('the worker never reported: %s' % self.logs())

    def call(self, method, svc, path, token, body=None, ok=True, headers=None):
        resp = requests.request(method, self.urls[svc] + path, json=body, timeout=60,
                                headers=dict({'X-Auth-Token': token}, **(headers or {})))
        if ok and resp.status_code >= 400:
            raise AssertionError('%s %s -> %s %s' % (method, path, resp.status_code,
                                                     resp.text[:500]))
        return resp

    def logs(self, tail=3000):
        return '\n'.join('== %s ==\n%s' % (name, p.log()[-tail:])
                         for name, p in self.procs.items() if os.path.exists(p.log_path))

    def stop(self):
        for proc in reversed(list(self.procs.values())):
            proc.stop()


@pytest.fixture(scope='module')
def stack(identity, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp('compute-core'), identity)
    yield stack
    stack.stop()
