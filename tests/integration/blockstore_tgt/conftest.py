"""Fixtures of the tgt integration tests: a private tgtd (root), the file driver on it."""
import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import blockstore_tgt_helpers as helpers  # noqa: E402


def pytest_terminal_summary(terminalreporter):
    if helpers.TIMINGS:
        terminalreporter.section('file driver over tgt: figures')
        for name, value in helpers.TIMINGS.items():
            terminalreporter.write_line('%-60s %10.2f' % (name, value))


@pytest.fixture(scope='session')
def tgtd():
    reason = helpers.skip_reason()
    if reason:
        pytest.skip(reason)
    daemon = helpers.PrivateTgtd()
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def workdir():
    # On /work's file system (not a tmpfs): the figures are about the volumes' disk.
    base_dir = '/work' if os.path.isdir('/work') else None
    path = tempfile.mkdtemp(prefix='cs-tgt-test-', dir=base_dir)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def driver(tgtd, workdir):
    from blockstore.drivers import file as file_driver
    from blockstore.drivers import settings as settings_mod
    conf = settings_mod.BackendSettings(
        volumes_dir=os.path.join(workdir, 'volumes'), volume_backend_name='tgt-test',
        target_port=tgtd.iscsi_port, tgt_control_port=tgtd.control_port,
        target_prefix='iqn.2010-10.org.cirrostack.test%d:' % tgtd.control_port)
    drv = file_driver.FileDriver(conf)
    drv.do_setup()
    drv.check_for_setup_error()
    try:
        yield drv
    finally:
        # Whatever a test left: every target of this backend and every volume file.
        drv.cleanup_orphans([], [], exported_volume_ids=[])
        assert drv.list_exports() == []


@pytest.fixture
def initiator(workdir):
    return helpers.Initiator(workdir)
