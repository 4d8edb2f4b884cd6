"""Container updates that could not be delivered, saved for the updater to retry.

Stored at ``<devices>/<dev>/async_pending/<suffix>/<object hash>-<timestamp>`` as JSON
{op, account, container, obj, headers, successes}; a newer update for the same object
makes older ones pointless, which the updater exploits by handling the newest first.
"""
import json
import os
import uuid

from objectstore.ring import utils as ring_utils
from objectstore.storage import diskfile

DIRNAME = 'async_pending'


def save(device_path, op, account, container, obj, headers, successes=()):
    obj_hash = ring_utils.hash_path(account, container, obj)
    directory = os.path.join(device_path, DIRNAME, obj_hash[-3:])
    os.makedirs(directory, exist_ok=True)
    record = {'op': op, 'account': account, 'container': container, 'obj': obj,
              'headers': headers, 'successes': sorted(set(successes))}
    tmp = os.path.join(device_path, 'tmp')
    os.makedirs(tmp, exist_ok=True)
    tmp_path = os.path.join(tmp, '.tmp-async-%s' % uuid.uuid4().hex)
    with open(tmp_path, 'w') as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())
    path = os.path.join(directory, '%s-%s' % (obj_hash, headers['X-Timestamp']))
    os.rename(tmp_path, path)
    diskfile.fsync_dir(directory)
    return path


def iter_pending(device_path):
    """Yield (path, record) for each pending update, newest per object first."""
    root = os.path.join(device_path, DIRNAME)
    if not os.path.isdir(root):
        return
    for suffix in sorted(os.listdir(root)):
        suffix_path = os.path.join(root, suffix)
        try:
            names = sorted(os.listdir(suffix_path), reverse=True)
        except NotADirectoryError:
            continue
        for name in names:
            path = os.path.join(suffix_path, name)
            try:
                with open(path) as handle:
                    yield path, json.load(handle)
            except (OSError, ValueError):
                continue  # a half-written file cannot exist (rename), so skip vanished ones
        try:
            os.rmdir(suffix_path)
        except OSError:
            pass
