"""Log lines of the object store daemons stay one line each.

Object, container and account names are tenant text and may hold CR, LF or other control
characters (percent-encoded in the URL, decoded in the path); logged raw they would forge
log lines.  ``install`` makes every log record of the process escape them in its message
(``\\n``, ``\\x1b``...); tracebacks are formatted apart and keep their lines.
"""
import logging

_CONTROLS = {c: c.encode('unicode_escape').decode('ascii')
             for c in [chr(i) for i in range(0x20)] + ['\x7f', '\x85', '\u2028', '\u2029']}
_TABLE = str.maketrans(_CONTROLS)


def escape(text):
    return text.translate(_TABLE)


class _EscapedRecord(logging.LogRecord):
    def getMessage(self):
        return escape(super().getMessage())


def install():
    """Escape control characters in every log message of this process (idempotent)."""
    logging.setLogRecordFactory(_EscapedRecord)
