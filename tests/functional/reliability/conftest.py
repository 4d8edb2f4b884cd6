"""The small cloud of the reliability tests (access matrix, fuzz, chaos): identity, image,
network and the object store as real daemons (common.testing.minicloud), on the machine's
MariaDB as devstack runs them (CS_MINICLOUD_DB=sqlite: SQLite files)."""
import os

import pytest

from common.testing import minicloud


@pytest.fixture(scope='session')
def cloud(tmp_path_factory):
    started = minicloud.MiniCloud(str(tmp_path_factory.mktemp('minicloud')),
                                  database=os.environ.get('CS_MINICLOUD_DB', 'mysql'))
    try:
        yield started.start()
    finally:
        started.stop()
