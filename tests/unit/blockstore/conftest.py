"""Fixtures of the blockstore unit tests: the whole service in-process
(common.testing.blockstore_cloud) with the file driver on a temporary directory, tgt played
by the TEST FAKE of tgtadm."""
import pytest

from blockstore.drivers import file as file_driver
from blockstore.drivers import tgt as tgt_mod
from blockstore.volume import manager as volume_manager
from common.testing import blockstore_cloud
from common.testing import tokens
from common.testing.fake_tgtadm import FakeTgtadm


@pytest.fixture
def token_source(tmp_path):
    source = tokens.TokenSource(str(tmp_path / 'tokens'))
    yield source
    source.close()


@pytest.fixture
def cloud(tmp_path, token_source):
    tgt = FakeTgtadm()

    def make_driver(conf):
        return file_driver.FileDriver(volume_manager.backend_settings(conf, 'backend'),
                                      tgt=tgt_mod.TgtAdm(runner=tgt))
    running = blockstore_cloud.start(tmp_path, token_source, make_driver)
    running.tgt = tgt
    yield running
    blockstore_cloud.stop(running)
