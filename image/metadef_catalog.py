"""The metadata definitions catalog a cloud starts with: namespace files (JSON, one
namespace each, in the form POST /v2/metadefs/namespaces takes) loaded by
``image-manage db-load-metadefs``; etc/image/metadefs holds the ones describing the
image properties this cloud's compute service reads."""
import json
import os

from common import exceptions
from common import validation
from image.api import metadef_schemas
from image.db import metadefs as metadef_db

DEFAULT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           'etc', 'image', 'metadefs')


class CatalogError(Exception):
    """A namespace file that cannot be loaded; the message names the file."""


def read(path):
    """The namespace a file defines, validated as the API validates a create request."""
    try:
        with open(path, encoding='utf-8') as handle:
            body = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CatalogError('%s: cannot read a JSON namespace: %s' % (path, exc))
    try:
        validation.validate(metadef_schemas.NAMESPACE, body)
    except exceptions.APIError as exc:
        raise CatalogError('%s: %s' % (path, exc))
    return body


def load(db, directory=DEFAULT_DIR, owner=None):
    """Create every namespace of ``directory``'s ``*.json`` files that does not exist yet
    (existing ones are left as the operator changed them); returns ``(created, kept)``
    name lists.  Every file is read and checked before the first is loaded."""
    paths = sorted(os.path.join(directory, name) for name in os.listdir(directory)
                   if name.endswith('.json'))
    bodies = [read(path) for path in paths]
    created, kept = [], []
    for body in bodies:
        values = {'namespace': body['namespace'], 'display_name': body.get('display_name'),
                  'description': body.get('description'),
                  'visibility': body.get('visibility', 'public'),
                  'protected': body.get('protected', True), 'owner': owner}
        try:
            metadef_db.create_namespace(db, values, body.get('resource_type_associations', ()),
                                        body.get('properties'), body.get('objects', ()),
                                        body.get('tags', ()))
        except exceptions.Conflict:
            kept.append(body['namespace'])
            continue
        created.append(body['namespace'])
    return created, kept
