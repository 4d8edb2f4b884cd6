import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compute_core_fakes as fakes  # noqa: E402


@pytest.fixture
def conf(tmp_path):
    return fakes.make_conf(tmp_path)


@pytest.fixture
def db(conf):
    db = fakes.make_db(conf)
    fakes.add_flavor(db)
    yield db
    db.dispose()


@pytest.fixture
def cloud(conf, db):
    cloud = fakes.Cloud(conf, db)
    yield cloud
    cloud.stop()


@pytest.fixture
def engine(conf, db, cloud):
    from compute import engine as engine_mod
    return engine_mod.Engine(conf, db, cloud.transport, image_api=cloud.image_api,
                             network_api=cloud.network_api, volume_api=cloud.volume_api)
