"""Version discovery (/ and /versions) and the schema documents (/v2/schemas/*)."""
from common import exceptions
from common.wsgi import endpoint
from common.wsgi import response as wsgi_response
from image.api import metadef_schemas
from image.api import schemas
from image.api import tasks

# Minor versions of API v2 whose behaviour this service offers; the last is current.
MINOR_VERSIONS = 16


def versions_document(conf, req):
    base = endpoint.public_url(conf, req)
    versions = []
    for minor in range(MINOR_VERSIONS, -1, -1):
        versions.append({'id': 'v2.%d' % minor,
                         'status': 'CURRENT' if minor == MINOR_VERSIONS else 'SUPPORTED',
                         'links': [{'rel': 'self', 'href': '%s/v2/' % base}]})
    return {'versions': versions}


class VersionsApp:
    """Unauthenticated: clients discover the API before they have a token."""

    def __init__(self, conf):
        self.conf = conf

    def root(self, req):
        # 300 Multiple Choices at the root, as the image API always answered there.
        return wsgi_response.json_response(versions_document(self.conf, req), status=300)

    def versions(self, req):
        return versions_document(self.conf, req)


class SchemasController:
    def image(self, req):
        return schemas.image_schema()

    def images(self, req):
        return schemas.images_schema()

    def member(self, req):
        return schemas.member_schema()

    def members(self, req):
        return schemas.members_schema()

    def task(self, req):
        return tasks.task_schema()

    def tasks(self, req):
        return tasks.tasks_schema()

    def metadef(self, req, document):
        found = metadef_schemas.document(document)
        if found is None:
            raise exceptions.NotFound('No schema %s; metadefs schemas: %s.'
                                      % (document, ', '.join(metadef_schemas.NAMES)))
        return found
