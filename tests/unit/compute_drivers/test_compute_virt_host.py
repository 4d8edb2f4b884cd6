"""The KVM probe guest and the libvirt connection's reconnect logic (libvirt stubbed)."""
import os
import shutil
import subprocess

import libvirt
import pytest

from compute.drivers import base
from compute.drivers.libvirt import host as host_mod
from compute.drivers.libvirt import kvm_probe

SOURCE = os.path.join(os.path.dirname(kvm_probe.__file__), 'kvm_probe.S')


@pytest.mark.skipif(not (shutil.which('as') and shutil.which('ld')), reason='needs binutils')
def test_probe_sector_is_the_assembled_source(tmp_path):
    subprocess.run(['as', '--64', '-o', str(tmp_path / 'p.o'), SOURCE], check=True)
    subprocess.run(['ld', '-Ttext=0x7c00', '--oformat', 'binary', '-o', str(tmp_path / 'p.bin'),
                    str(tmp_path / 'p.o')], check=True)
    assert (tmp_path / 'p.bin').read_bytes() == kvm_probe.PROBE_SECTOR
    assert len(kvm_probe.PROBE_SECTOR) == 512 and kvm_probe.PROBE_SECTOR[-2:] == b'\x55\xaa'


@pytest.mark.skipif(kvm_probe.qemu_binary() is None, reason='needs qemu-system-x86_64')
def test_probe_passes_under_emulation():
    # TCG runs every step of the probe; a host whose KVM cannot is caught by the same code.
    ok, detail = kvm_probe.run_probe('tcg', timeout=30)
    assert ok, detail


def test_probe_reports_a_missing_binary():
    ok, detail = kvm_probe.run_probe('tcg', binary='/nonexistent/qemu')
    assert not ok and 'cannot run /nonexistent/qemu' in detail


class StubConn:
    def __init__(self, name):
        self.name, self.alive, self.closed = name, 1, False
        self.close_cb = None
        self.calls = 0

    def setKeepAlive(self, interval, count):
        self.keepalive = (interval, count)

    def registerCloseCallback(self, cb, opaque):
        self.close_cb = cb

    def unregisterCloseCallback(self):
        self.close_cb = None

    def isAlive(self):
        return self.alive

    def close(self):
        self.closed = True

    def getVersion(self):
        self.calls += 1
        if self.alive == 0:
            raise _conn_error()
        return 7002000


def _conn_error():
    exc = libvirt.libvirtError('End of file while reading data: Input/output error')
    exc.err = (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_FROM_RPC, 'eof', 2, None, None,
               None, 0, 0)
    return exc


@pytest.fixture
def stub_open(monkeypatch):
    opened = []

    def fake_open(uri):
        conn = StubConn('conn%d' % len(opened))
        opened.append(conn)
        return conn

    monkeypatch.setattr(host_mod.libvirt, 'open', fake_open)
    monkeypatch.setattr(host_mod, '_start_event_loop', lambda: None)
    return opened


def test_connection_is_reused_then_reopened_after_close(stub_open):
    h = host_mod.Host('qemu:///system')
    first = h.get_connection()
    assert h.get_connection() is first and first.keepalive == (5, 3)
    first.close_cb(first, 0, None)          # libvirtd went away (event thread)
    second = h.get_connection()
    assert second is not first and first.closed and h.reconnects == 1


def test_dead_connection_noticed_by_is_alive(stub_open):
    h = host_mod.Host()
    first = h.get_connection()
    first.alive = 0
    assert h.get_connection() is not first


def test_call_retries_on_a_fresh_connection(stub_open):
    h = host_mod.Host()
    h.get_connection().alive = 0            # breaks during the call
    stub_open[0].isAlive = lambda: 1        # ... but still looks alive beforehand
    assert h.call(lambda c: c.getVersion()) == 7002000
    assert len(stub_open) == 2 and stub_open[0].calls == 1


def test_call_gives_up_after_retries(stub_open, monkeypatch):
    h = host_mod.Host()

    def always_broken(conn):
        raise _conn_error()

    with pytest.raises(base.HypervisorUnavailable, match='connection lost'):
        h.call(always_broken, retries=2)
    assert len(stub_open) == 3


def test_other_libvirt_errors_pass_through(stub_open):
    h = host_mod.Host()
    exc = libvirt.libvirtError('Domain not found')
    exc.err = (libvirt.VIR_ERR_NO_DOMAIN, libvirt.VIR_FROM_QEMU, 'x', 2, None, None, None, 0, 0)

    def missing(conn):
        raise exc

    with pytest.raises(libvirt.libvirtError):
        h.call(missing)
    assert len(stub_open) == 1


def test_unreachable_libvirtd(monkeypatch):
    def refuse(uri):
        exc = libvirt.libvirtError('Failed to connect socket')
        exc.err = (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_FROM_RPC, 'x', 2, None, None, None,
                   0, 0)
        raise exc

    monkeypatch.setattr(host_mod.libvirt, 'open', refuse)
    monkeypatch.setattr(host_mod, '_start_event_loop', lambda: None)
    with pytest.raises(base.HypervisorUnavailable, match='cannot connect'):
        host_mod.Host('qemu:///system').get_connection()
