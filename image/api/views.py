"""The JSON representations of images and members, as clients of Glance v2 expect them."""
from image.db import api as image_db


def timestamp(value):
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value is not None else None


def image(engine, ctx, session, row):
    """An image document: core fields, custom properties, links, stores."""
    body = {
        'id': row.id, 'name': row.name, 'status': row.status, 'visibility': row.visibility,
        'protected': bool(row.protected), 'os_hidden': bool(row.os_hidden),
        'checksum': row.checksum, 'os_hash_algo': row.os_hash_algo,
        'os_hash_value': row.os_hash_value, 'owner': row.owner, 'size': row.size,
        'virtual_size': row.virtual_size, 'disk_format': row.disk_format,
        'container_format': row.container_format, 'min_disk': row.min_disk,
        'min_ram': row.min_ram, 'created_at': timestamp(row.created_at),
        'updated_at': timestamp(row.updated_at), 'tags': image_db.tags(session, row.id),
        'self': '/v2/images/%s' % row.id, 'file': '/v2/images/%s/file' % row.id,
        'schema': '/v2/schemas/image',
    }
    for name, value in image_db.properties(session, row.id).items():
        body.setdefault(name, value)
    locations = image_db.locations(session, row.id)
    if locations:
        body['stores'] = ','.join(loc.store for loc in locations)
        if engine.allowed(ctx, 'get_image_location', row):
            body['locations'] = [{'url': loc.url, 'metadata': {'store': loc.store}}
                                 for loc in locations]
            body['direct_url'] = locations[0].url
    return body


def member(row):
    return {'member_id': row.member, 'image_id': row.image_id, 'status': row.status,
            'created_at': timestamp(row.created_at), 'updated_at': timestamp(row.updated_at),
            'schema': '/v2/schemas/member'}
