"""The JSON representations of images and members, as clients of Glance v2 expect them."""


def timestamp(value):
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value is not None else None


def image(engine, ctx, img):
    """An image document from an image dict (image.db.api.image_dict with details): core
    fields, custom properties, links, stores."""
    body = {
        'id': img['id'], 'name': img['name'], 'status': img['status'],
        'visibility': img['visibility'], 'protected': bool(img['protected']),
        'os_hidden': bool(img['os_hidden']), 'checksum': img['checksum'],
        'os_hash_algo': img['os_hash_algo'], 'os_hash_value': img['os_hash_value'],
        'owner': img['owner'], 'size': img['size'], 'virtual_size': img['virtual_size'],
        'disk_format': img['disk_format'], 'container_format': img['container_format'],
        'min_disk': img['min_disk'], 'min_ram': img['min_ram'],
        'created_at': timestamp(img['created_at']),
        'updated_at': timestamp(img['updated_at']), 'tags': list(img['tags']),
        'self': '/v2/images/%s' % img['id'], 'file': '/v2/images/%s/file' % img['id'],
        'schema': '/v2/schemas/image',
    }
    for name, value in img['properties'].items():
        body.setdefault(name, value)
    locations = img['locations']
    if locations:
        body['stores'] = ','.join(loc['store'] for loc in locations)
        if engine.allowed(ctx, 'get_image_location', img):
            body['locations'] = [{'url': loc['url'], 'metadata': {'store': loc['store']}}
                                 for loc in locations]
            body['direct_url'] = locations[0]['url']
    return body


def member(row):
    return {'member_id': row['member'], 'image_id': row['image_id'], 'status': row['status'],
            'created_at': timestamp(row['created_at']),
            'updated_at': timestamp(row['updated_at']), 'schema': '/v2/schemas/member'}
