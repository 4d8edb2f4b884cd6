"""Walking the object directories of a device."""
import os


def hash_dirs(device_path, stopping=lambda: False):
    """Yield every ``objects/<part>/<suffix>/<hash>`` directory of a device."""
    root = os.path.join(device_path, 'objects')
    if not os.path.isdir(root):
        return
    for part in sorted(os.listdir(root)):
        part_path = os.path.join(root, part)
        if not part.isdigit() or not os.path.isdir(part_path):
            continue
        for suffix in sorted(os.listdir(part_path)):
            suffix_path = os.path.join(part_path, suffix)
            if len(suffix) != 3 or not os.path.isdir(suffix_path):
                continue
            for obj_hash in sorted(os.listdir(suffix_path)):
                if stopping():
                    return
                yield os.path.join(suffix_path, obj_hash)


def db_files(device_path, kind):
    """Yield every ``<kind>s/<part>/<suffix>/<hash>/<hash>.db`` path of a device."""
    root = os.path.join(device_path, kind + 's')
    if not os.path.isdir(root):
        return
    for part in sorted(os.listdir(root)):
        for suffix in sorted(os.listdir(os.path.join(root, part))):
            for db_hash in sorted(os.listdir(os.path.join(root, part, suffix))):
                path = os.path.join(root, part, suffix, db_hash, db_hash + '.db')
                if os.path.exists(path):
                    yield path
