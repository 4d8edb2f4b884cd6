"""Tasks: import jobs seen through /v2/images/{id}/tasks and /v2/tasks, and the import
task that fills an image from an http(s) URL."""
import http.server
import threading

import pytest


@pytest.fixture
def web():
    """A real HTTP server on 127.0.0.1 serving ``files`` (path -> bytes)."""
    files = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1], files
    server.shutdown()
    server.server_close()


def _admin(client):
    return client.as_('p-admin', roles=('admin', 'member', 'reader'))


def _task(url, **props):
    props.setdefault('container_format', 'bare')
    return {'type': 'import', 'input': {'import_from': url, 'import_from_format': 'raw',
                                        'image_properties': props}}


def test_an_import_is_a_task_of_its_image(image_env):
    client, engine = image_env
    img = client.create()
    path = '/v2/images/%s' % img['id']
    assert client.get(path + '/tasks').json['tasks'] == []
    client.put(path + '/stage', body=b'x' * 4096)
    resp = client.post(path + '/import', {'method': {'name': 'glance-direct'}})
    assert resp.status_int == 202
    engine.imports.wait()
    tasks = client.get(path + '/tasks').json['tasks']
    assert len(tasks) == 1
    task = tasks[0]
    assert task['status'] == 'success' and task['type'] == 'api_image_import'
    assert task['request_id'] == resp.headers['X-OpenStack-Request-Id']
    assert task['input']['import_req']['method']['name'] == 'glance-direct'
    assert task['input']['backend'] == ['file1'] and task['image_id'] == img['id']
    assert task['owner'] == client.project and task['expires_at']
    # Another project cannot see the (private) image, nor its tasks.
    other = client.as_('p-bob')
    assert other.get(path + '/tasks').status_int == 404
    # The task API is for administrators, who see every project's tasks.
    assert client.get('/v2/tasks/%s' % task['id']).status_int == 403
    admin = _admin(client)
    assert admin.get('/v2/tasks/%s' % task['id']).json['status'] == 'success'
    listed = admin.get('/v2/tasks?status=success').json
    assert [t['id'] for t in listed['tasks']] == [task['id']] and 'input' not in listed['tasks'][0]
    assert admin.get('/v2/tasks?status=colour').status_int == 400


def test_import_task_fills_an_image_from_a_url(image_env, web):
    client, engine = image_env
    base, files = web
    files['/disk.img'] = b'\0' * 70000
    admin = _admin(client)
    resp = admin.post('/v2/tasks', _task(base + '/disk.img', name='from-web'))
    assert resp.status_int == 201, resp.text
    assert resp.json['status'] in ('pending', 'processing', 'success')
    engine.imports.wait()
    task = admin.get('/v2/tasks/%s' % resp.json['id']).json
    assert task['status'] == 'success', task
    image = admin.get('/v2/images/%s' % task['result']['image_id']).json
    assert image['status'] == 'active' and image['size'] == 70000
    assert image['name'] == 'from-web' and image['disk_format'] == 'raw'


def test_import_task_that_cannot_download_fails(image_env, web):
    client, engine = image_env
    base, _files = web
    admin = _admin(client)
    resp = admin.post('/v2/tasks', _task(base + '/missing.img'))
    assert resp.status_int == 201
    engine.imports.wait()
    task = admin.get('/v2/tasks/%s' % resp.json['id']).json
    assert task['status'] == 'failure' and '404' in task['message']
    assert admin.get('/v2/images/%s' % task['image_id']).json['status'] == 'queued'


@pytest.mark.parametrize('body,words', [
    (_task('file:///etc/passwd'), 'http or https'),
    (_task('http://'), 'http or https'),
    (_task('http://host:99999/x'), 'port'),
    ({'type': 'convert', 'input': {}}, 'type'),
    ({'type': 'import', 'input': {'import_from': 'http://h/x'}}, 'Missing required field'),
    (_task('http://h/x', disk_format='floppy'), 'disk_format'),
])
def test_bad_import_tasks(image_env, body, words):
    client, _engine = image_env
    resp = _admin(client).post('/v2/tasks', body)
    assert resp.status_int == 400 and words in resp.msg, resp.msg


def test_members_may_not_create_tasks(image_env):
    client, _engine = image_env
    assert client.post('/v2/tasks', _task('http://h/x')).status_int == 403


def test_task_schemas(image_env):
    client, _engine = image_env
    assert client.get('/v2/schemas/task').json['name'] == 'task'
    assert client.get('/v2/schemas/tasks').json['name'] == 'tasks'


def test_tasks_are_paged(image_env):
    """Keyset paging of /v2/tasks; an unknown marker is a 400."""
    client, engine = image_env
    admin = _admin(client)
    ids = []
    for _ in range(3):
        img = client.create()
        client.put('/v2/images/%s/stage' % img['id'], body=b'y' * 4096)
        client.post('/v2/images/%s/import' % img['id'], {'method': {'name': 'glance-direct'}})
        engine.imports.wait()
        ids.append(client.get('/v2/images/%s/tasks' % img['id']).json['tasks'][0]['id'])
    page = admin.get('/v2/tasks?limit=2&sort_key=created_at&sort_dir=asc').json
    assert [t['id'] for t in page['tasks']] == ids[:2]
    assert [t['id'] for t in admin.get(page['next']).json['tasks']] == ids[2:]
    assert admin.get('/v2/tasks?marker=nope').status_int == 400
