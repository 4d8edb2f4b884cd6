"""Fixtures of the backup functional tests: the real object store (storage servers + proxy
daemon) behind the real identity daemon, cataloged as ``object-store``.

The object store's own test helpers (StorageCluster, RealProxy) live in its conftest files;
they are loaded by path, as the image service's functional tests do (a conftest cannot be
imported by name).
"""
import importlib.util
import os
import shutil
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def _load(name, *path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, *path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def object_store(identity):
    """(RealProxy, keystoneauth1 session of user demo on project demo)."""
    cluster_mod = _load('blockstore_backup_os_cluster', 'tests', 'functional', 'objectstore',
                        'conftest.py')
    proxy_mod = _load('blockstore_backup_os_proxy', 'tests', 'functional', 'objectstore',
                      'identity', 'conftest.py')
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3
    root = tempfile.mkdtemp(prefix='blockstore-backup-')
    cluster = cluster_mod.StorageCluster(os.path.join(root, 'cluster'))
    proxy = None
    try:
        cluster.start_all()
        os.makedirs(os.path.join(root, 'proxy'))
        proxy = proxy_mod.RealProxy(cluster, identity, os.path.join(root, 'proxy'))
        proxy.start()
        proxy.register()
        auth = v3.Password(auth_url=identity.auth_url, username='demo',
                           password=identity.demo_password, project_name='demo',
                           user_domain_name='Default', project_domain_name='Default')
        yield proxy, ks_session.Session(auth=auth)
    finally:
        if proxy is not None:
            proxy.stop()
        cluster.stop_all()
        shutil.rmtree(root, ignore_errors=True)
