"""Disk image formats: what an upload really is, checked against what the client declared.

The inspector sees the data as it streams past (keeping only its first few MiB and its last
512 bytes), so a mismatch is caught early without holding the image.  It also reads the
virtual disk size from the format's header.  Formats that can point outside the image
(qcow2 backing or external data files, vmdk descriptors naming extent files) are refused:
a hypervisor opening them could be made to read the host's files.
"""
import re
import struct
import uuid

DISK_FORMATS = ('ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso')
CONTAINER_FORMATS = ('ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed')

HEAD_MAX = 4 * 1024 * 1024   # enough for a VHDX metadata region qemu-img places at 2-3 MiB
_EARLY_CHECK = 64 * 1024      # every signature we look for lies within this
_ISO_MAGIC_AT = 0x8001
_FOOTER = 512

# Formats a raw upload must not secretly be: a hypervisor told "raw" would expose their
# metadata to the guest; told the real format, it could follow their references.
_NOT_RAW = ('qcow2', 'vmdk', 'vhdx', 'vdi', 'vhd')
_UNCHECKED = ('ami', 'aki', 'ari')

_VHDX_METADATA_REGION = uuid.UUID('8b7ca206-4790-4b9a-b8fe-575f050f886e').bytes_le
_VHDX_VIRTUAL_SIZE = uuid.UUID('2fa54224-cd1b-4876-b211-5dbed83bf4b8').bytes_le


class FormatMismatch(Exception):
    """The data is not in the declared disk format (or is an unsafe variant of it)."""


def detect(head):
    """The disk format the first bytes show, or None for raw-looking data."""
    if head[:4] == b'QFI\xfb':
        return 'qcow2'
    if head[:4] == b'KDMV' or head[:21] == b'# Disk DescriptorFile':
        return 'vmdk'
    if head[:8] == b'vhdxfile':
        return 'vhdx'
    if len(head) >= 0x44 and struct.unpack_from('<I', head, 0x40)[0] == 0xbeda107f:
        return 'vdi'
    if head[:8] == b'conectix':
        return 'vhd'
    if head[_ISO_MAGIC_AT:_ISO_MAGIC_AT + 5] == b'CD001':
        return 'iso'
    return None


class Inspector:
    """Feed it the chunks of an upload; ``finish`` returns the virtual size or raises."""

    def __init__(self, disk_format):
        self.disk_format = disk_format
        self._head = bytearray()
        self._tail = b''
        self._checked = False

    def feed(self, chunk):
        if len(self._head) < HEAD_MAX:
            self._head += chunk[:HEAD_MAX - len(self._head)]
        self._tail = (self._tail + bytes(chunk[-_FOOTER:]))[-_FOOTER:]
        if not self._checked and len(self._head) >= _EARLY_CHECK:
            self._check_signature(final=False)

    def _check_signature(self, final):
        fmt = self.disk_format
        found = detect(bytes(self._head[:_EARLY_CHECK]))
        self._checked = True
        if fmt in _UNCHECKED:
            return
        if fmt == 'raw':
            if found in _NOT_RAW:
                raise FormatMismatch('Image data is in %s format, not raw as declared; upload '
                                     'it with disk_format %s.' % (found, found))
            return
        if fmt == 'vhd' and found is None:
            if not final:
                self._checked = False  # a fixed VHD shows its footer only at the end
                return
            if self._tail[:8] == b'conectix':
                return
        if found != fmt:
            raise FormatMismatch('Image data does not match disk_format %s (%s).'
                                 % (fmt, 'looks like %s' % found if found
                                    else 'no %s header found' % fmt))
        getattr(self, '_safety_' + fmt, lambda: None)()

    def finish(self, size):
        """Check what was not checkable yet; return the virtual size in bytes (or None)."""
        if not self._checked:
            self._check_signature(final=True)
        reader = getattr(self, '_size_' + (self.disk_format or ''), None)
        if reader is None:
            return size
        try:
            return reader()
        except (struct.error, IndexError, ValueError):
            return None

    # safety checks ------------------------------------------------------------
    def _safety_qcow2(self):
        head = self._head
        if len(head) < 32:
            raise FormatMismatch('qcow2 header is truncated.')
        backing_offset = struct.unpack_from('>Q', head, 8)[0]
        if backing_offset:
            raise FormatMismatch('qcow2 images with a backing file are not allowed.')
        version = struct.unpack_from('>I', head, 4)[0]
        if version >= 3 and len(head) >= 80:
            incompatible = struct.unpack_from('>Q', head, 72)[0]
            if incompatible & 0x4:
                raise FormatMismatch('qcow2 images with an external data file are not '
                                     'allowed.')

    def _vmdk_descriptor(self):
        head = bytes(self._head)
        if head[:4] != b'KDMV':
            return head.split(b'\0', 1)[0].decode('utf-8', 'replace')
        offset = struct.unpack_from('<Q', head, 28)[0] * 512
        length = struct.unpack_from('<Q', head, 36)[0] * 512
        return head[offset:offset + length].split(b'\0', 1)[0].decode('utf-8', 'replace')

    def _safety_vmdk(self):
        if self._head[:4] != b'KDMV':
            raise FormatMismatch('vmdk descriptor files referring to separate extent files '
                                 'are not allowed; upload a monolithicSparse or '
                                 'streamOptimized vmdk.')
        match = re.search(r'createType\s*=\s*"([^"]+)"', self._vmdk_descriptor())
        if match and match.group(1) not in ('monolithicSparse', 'streamOptimized'):
            raise FormatMismatch('vmdk create type %s is not allowed; use monolithicSparse or '
                                 'streamOptimized.' % match.group(1))

    # virtual sizes -------------------------------------------------------------
    def _size_qcow2(self):
        return struct.unpack_from('>Q', self._head, 24)[0]

    def _size_vmdk(self):
        return struct.unpack_from('<Q', self._head, 12)[0] * 512

    def _size_vdi(self):
        return struct.unpack_from('<Q', self._head, 0x170)[0]

    def _size_vhd(self):
        footer = self._head if self._head[:8] == b'conectix' else self._tail
        return struct.unpack_from('>Q', footer, 48)[0]

    def _size_vhdx(self):
        head = self._head
        table = 192 * 1024  # the first region table
        if head[table:table + 4] != b'regi':
            return None
        count = struct.unpack_from('<I', head, table + 8)[0]
        for i in range(min(count, 2047)):
            entry = table + 16 + 32 * i
            if head[entry:entry + 16] == _VHDX_METADATA_REGION:
                region = struct.unpack_from('<Q', head, entry + 16)[0]
                return self._vhdx_metadata_size(region)
        return None

    def _vhdx_metadata_size(self, region):
        head = self._head
        if head[region:region + 8] != b'metadata':
            return None
        count = struct.unpack_from('<H', head, region + 10)[0]
        for i in range(min(count, 2047)):
            entry = region + 32 + 32 * i
            if head[entry:entry + 16] == _VHDX_VIRTUAL_SIZE:
                offset = struct.unpack_from('<I', head, entry + 16)[0]
                return struct.unpack_from('<Q', head, region + offset)[0]
        return None
