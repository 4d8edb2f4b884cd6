"""Periodic tasks keep running after a failure and stop promptly."""
import time

import eventlet

from common import service


class Owner:
    def __init__(self):
        self.calls = 0

    @service.periodic_task(spacing=0.05, run_immediately=True)
    def tick(self):
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError('one bad run')


def test_periodic_tasks_survive_errors_and_stop():
    owner = Owner()
    tasks = service.PeriodicTasks(owner)
    tasks.start()
    eventlet.sleep(0.4)
    tasks.stop()
    started = time.monotonic()
    tasks.wait()
    assert owner.calls >= 4
    assert time.monotonic() - started < 1.0


def test_spacing_override():
    owner = Owner()
    tasks = service.PeriodicTasks(owner, {'tick': 10})
    tasks.start()
    eventlet.sleep(0.3)
    tasks.stop()
    tasks.wait()
    assert owner.calls == 1
