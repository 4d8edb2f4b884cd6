"""The serial console log: virtlogd appends the guest's ttyS0 to a file per server (and
rotates it); the API shows its tail."""
import glob
import os

DEFAULT_MAX_BYTES = 100 * 1024
HARD_MAX_BYTES = 1024 * 1024


def tail(path, max_bytes=DEFAULT_MAX_BYTES):
    """The last ``max_bytes`` of the log as text ('' when there is no log yet).

    When the current file is shorter than asked, the newest rotated file (``.0``) fills
    in, so a rotation right before the call does not blank the console.
    """
    max_bytes = max(1, min(int(max_bytes or DEFAULT_MAX_BYTES), HARD_MAX_BYTES))
    data = _read_tail(path, max_bytes)
    if len(data) < max_bytes:
        older = _read_tail(path + '.0', max_bytes - len(data))
        data = older + data
    text = data.decode('utf-8', 'replace')
    # Start at a whole line when the tail begins in the middle of one (unless that
    # partial line is all there is).
    first_break = text.find('\n')
    if len(data) >= max_bytes and 0 <= first_break < len(text) - 1:
        text = text[first_break + 1:]
    return text.replace('\r\n', '\n')


def _read_tail(path, count):
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - count))
            return f.read(count)
    except FileNotFoundError:
        return b''


def remove(path):
    """Delete the log and its rotated copies."""
    for name in [path] + glob.glob(glob.escape(path) + '.[0-9]*'):
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass
