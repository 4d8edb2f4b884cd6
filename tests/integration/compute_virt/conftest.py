"""Fixtures of the libvirt driver's integration tests (root, real libvirt and QEMU)."""
import os
import sys


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compute_virt_helpers as helpers  # noqa: E402


def pytest_terminal_summary(terminalreporter):
    if helpers.TIMINGS:
        terminalreporter.section('libvirt driver timings')
        for name, value in helpers.TIMINGS.items():
            terminalreporter.write_line('%-58s %8.2f' % (name, value))
