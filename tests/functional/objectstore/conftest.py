"""Fixtures for functional object store tests: a real storage cluster on loopback.

Usage: request the session-scoped ``storage_cluster`` fixture (this conftest also covers
tests/functional/objectstore/proxy/).  It builds account/container/object rings (3
replicas, part power 6, 4 devices d1..d4 in zones 1..4; node 1 serves d1+d2, node 2
d3+d4) under a temp dir, starts object/container/account servers for both nodes as
subprocesses on free 127.0.0.1 ports and yields a ``StorageCluster``:
``.ring_dir``, ``.conf_path`` (an ini with only ``[objectstore]`` hash_path_prefix/suffix
and ring_dir, for the proxy), ``.hash_path_prefix``/``.hash_path_suffix``, ``.servers``
(name -> subprocess, names ``object-1``, ``container-2``, ...), ``.nodes`` (node number ->
{'conf', 'devices', 'ports'}), ``.stop(name)``/``.start(name)``, ``.ensure_running()`` and
``.run_once(daemon, nodes=None, overrides=None, module=None)`` running
replicator/auditor/updater/expirer (or the daemon of ``module``, e.g. container sync) once
on every node (``overrides``: {section: {option: value}} for that run).  Before
talking to the rings in-process, call ``.activate()`` to set the hash path secret.
A test that stops a server must start it again (or call ``ensure_running()``).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from objectstore.ring import builder as builder_mod
from objectstore.ring import utils as ring_utils

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
PYTHON = os.path.join(REPO, '.venv', 'bin', 'python')
if not os.path.exists(PYTHON):
    PYTHON = sys.executable
KINDS = ('object', 'container', 'account')
DEVICES = {1: [('d1', 1), ('d2', 2)], 2: [('d3', 3), ('d4', 4)]}


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_port(port, proc, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError('server on port %d exited with %s' % (port, proc.returncode))
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError('server on port %d did not come up in %ss' % (port, timeout))


def write_ini(path, sections):
    with open(path, 'w') as handle:
        for section, opts in sections.items():
            handle.write('[%s]\n' % section)
            for key, value in opts.items():
                handle.write('%s = %s\n' % (key, value))
            handle.write('\n')


class StorageCluster:
    def __init__(self, root, part_power=6):
        self.root = root
        self.ring_dir = os.path.join(root, 'rings')
        self.log_dir = os.path.join(root, 'logs')
        os.makedirs(self.ring_dir)
        os.makedirs(self.log_dir)
        self.hash_path_prefix = 'test-prefix-%d' % os.getpid()
        self.hash_path_suffix = 'test-suffix'
        self.servers = {}
        self.nodes = {}
        for node, devs in DEVICES.items():
            devices = os.path.join(root, 'node%d' % node)
            for dev, _ in devs:
                os.makedirs(os.path.join(devices, dev))
            self.nodes[node] = {'devices': devices, 'ports': {k: free_port() for k in KINDS},
                                'conf': os.path.join(root, 'node%d.conf' % node)}
        self._build_rings(part_power)
        self.conf_path = os.path.join(root, 'objectstore.conf')
        write_ini(self.conf_path, {'objectstore': self._cluster_opts()})
        for node, info in self.nodes.items():
            sections = {'objectstore': self._cluster_opts(),
                        'storage': {'devices': info['devices'], 'bind_ip': '127.0.0.1',
                                    'conn_timeout': 0.5, 'node_timeout': 5}}
            for kind in KINDS:
                sections['%s-server' % kind] = {'bind_host': '127.0.0.1',
                                                'bind_port': info['ports'][kind]}
            write_ini(info['conf'], sections)

    def _cluster_opts(self):
        return {'hash_path_prefix': self.hash_path_prefix,
                'hash_path_suffix': self.hash_path_suffix, 'ring_dir': self.ring_dir}

    def _build_rings(self, part_power):
        for kind in KINDS:
            builder = builder_mod.RingBuilder(part_power, 3, 0)
            for node, devs in DEVICES.items():
                for dev, zone in devs:
                    builder.add_dev('r1z%d-127.0.0.1:%d/%s' % (
                        zone, self.nodes[node]['ports'][kind], dev), 100)
            builder.rebalance(seed=1)
            builder.save(os.path.join(self.ring_dir, '%s.builder' % kind))
            builder.write_ring(os.path.join(self.ring_dir, '%s.ring.json.gz' % kind))

    def activate(self):
        """Set this cluster's hash path secret in the calling process."""
        ring_utils.set_hash_path_secret(self.hash_path_prefix, self.hash_path_suffix)

    def ring(self, kind):
        from objectstore.ring import Ring
        self.activate()
        return Ring(os.path.join(self.ring_dir, '%s.ring.json.gz' % kind))

    def port(self, name):
        kind, node = name.rsplit('-', 1)
        return self.nodes[int(node)]['ports'][kind]

    def start(self, name):
        kind, node = name.rsplit('-', 1)
        if name in self.servers and self.servers[name].poll() is None:
            return
        log = open(os.path.join(self.log_dir, name + '.log'), 'ab')
        proc = subprocess.Popen(
            [PYTHON, '-m', 'objectstore.cmd', '%s-server' % kind,
             '--config-file', self.nodes[int(node)]['conf']],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.servers[name] = proc
        wait_port(self.port(name), proc)

    def stop(self, name, timeout=10.0):
        proc = self.servers.get(name)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            raise RuntimeError('%s did not stop on SIGTERM within %ss' % (name, timeout))

    def start_all(self):
        for node in self.nodes:
            for kind in KINDS:
                self.start('%s-%d' % (kind, node))

    def ensure_running(self):
        self.start_all()

    def stop_all(self):
        errors = []
        for name in list(self.servers):
            try:
                self.stop(name)
            except RuntimeError as exc:
                errors.append(str(exc))
        return errors

    def run_once(self, daemon, nodes=None, overrides=None, timeout=60.0, module=None):
        """Run a consistency daemon once on each node (in node order); return outputs.
        ``module``: a daemon with its own main module (``python -m module --once``)."""
        outputs = []
        for node in nodes or sorted(self.nodes):
            command = ['-m', module] if module else ['-m', 'objectstore.cmd', daemon]
            args = [PYTHON] + command + ['--once', '--config-file', self.nodes[node]['conf']]
            extra = None
            if overrides:
                extra = os.path.join(self.root, 'override-%s-%d.conf' % (daemon, node))
                write_ini(extra, overrides)
                args += ['--config-file', extra]
            try:
                done = subprocess.run(args, cwd=REPO, capture_output=True, text=True,
                                      timeout=timeout)
            finally:
                if extra:
                    os.unlink(extra)
            if done.returncode != 0:
                raise RuntimeError('%s --once on node %d failed (%d): %s' % (
                    daemon, node, done.returncode, done.stderr[-3000:]))
            outputs.append(done.stderr)
        return outputs


@pytest.fixture(scope='session')
def storage_cluster():
    root = tempfile.mkdtemp(prefix='objectstore-cluster-')
    cluster = StorageCluster(root)
    try:
        cluster.start_all()
        yield cluster
    finally:
        errors = cluster.stop_all()
        shutil.rmtree(root, ignore_errors=True)
        if errors:
            raise RuntimeError('; '.join(errors))
