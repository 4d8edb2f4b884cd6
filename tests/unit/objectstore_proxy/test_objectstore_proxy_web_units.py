"""In-process units of form uploads (the multipart reader), symlink listings, content
types clients may not forge, the cross-domain policy and the static website page."""
import io

import pytest

from objectstore.proxy import constraints
from objectstore.proxy import listing
from objectstore.proxy import multipart
from objectstore.proxy.middleware import crossdomain
from objectstore.proxy.middleware import staticweb
from objectstore.proxy.middleware import symlink
from objectstore.storage import updates


def form_body(boundary, parts, preamble=b''):
    body = preamble
    for headers, data in parts:
        body += b'--' + boundary + b'\r\n' + headers + b'\r\n\r\n' + data + b'\r\n'
    return body + b'--' + boundary + b'--\r\n'


@pytest.mark.parametrize('chunk', [1, 3, 7, 64, 65536])
def test_multipart_parts_whatever_the_chunking(chunk):
    boundary = b'--boundary--'
    big = b'x\r\n--boundar' * 5000  # looks like a delimiter, is not one
    body = form_body(boundary, [
        (b'Content-Disposition: form-data; name="max_file_size"', b'100'),
        (b'Content-Disposition: form-data; name="f"; filename="a b.txt"\r\n'
         b'Content-Type: text/plain', big),
        (b'Content-Disposition: form-data; name="empty"', b'')], preamble=b'ignored\r\n')
    found = []
    for headers, part in multipart.MultipartReader(io.BytesIO(body), boundary.decode(),
                                                   chunk_size=chunk):
        data = b''
        while True:
            piece = part.read(5)
            if not piece:
                break
            data += piece
        found.append((multipart.disposition(headers), headers.get('Content-Type'), data))
    assert found == [(('form-data', {'name': 'max_file_size'}), None, b'100'),
                     (('form-data', {'name': 'f', 'filename': 'a b.txt'}), 'text/plain', big),
                     (('form-data', {'name': 'empty'}), None, b'')]


def test_multipart_unread_parts_are_skipped():
    body = form_body(b'B', [(b'Content-Disposition: form-data; name="a"', b'1' * 1000),
                            (b'Content-Disposition: form-data; name="b"', b'2')])
    values = [part.read_at_most(10) if multipart.disposition(h)[1]['name'] == 'b' else None
              for h, part in multipart.MultipartReader(io.BytesIO(body), 'B')]
    assert values == [None, b'2']


@pytest.mark.parametrize('body', [
    b'no boundary at all' * 10000,
    b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated',
    b'--Bxx',
    b'--B\r\n' + b'H' * 20000,
])
def test_multipart_malformed_bodies_are_refused(body):
    with pytest.raises(multipart.MultipartError):
        for _headers, part in multipart.MultipartReader(io.BytesIO(body), 'B'):
            part.drain()


def test_multipart_field_limit_and_boundary():
    body = form_body(b'B', [(b'Content-Disposition: form-data; name="a"', b'x' * 5000)])
    with pytest.raises(multipart.MultipartError):
        for _headers, part in multipart.MultipartReader(io.BytesIO(body), 'B'):
            part.read_at_most(4096)
    assert multipart.boundary_of('multipart/form-data; boundary="a b"') == 'a b'
    assert multipart.boundary_of('text/plain') is None
    with pytest.raises(multipart.MultipartError):
        multipart.boundary_of('multipart/form-data')


def test_symlink_rows_in_listings():
    rows = [{'name': 'l', 'content_type': 'application/symlink;swift_symlink_target=c/o%20x'},
            {'name': 'x', 'content_type': 'text/plain;charset=utf-8;swift_symlink_target=c/o;'
             'swift_symlink_target_account=AUTH_other'},
            {'name': 'p', 'content_type': 'text/plain'}, {'subdir': 'd/'}]
    out = listing.container_rows('AUTH_me', rows)
    assert out[0] == {'name': 'l', 'content_type': 'application/symlink',
                      'symlink_path': '/v1/AUTH_me/c/o%20x'}
    assert out[1]['content_type'] == 'text/plain;charset=utf-8'
    assert out[1]['symlink_path'] == '/v1/AUTH_other/c/o'
    assert out[2] == {'name': 'p', 'content_type': 'text/plain'}


def test_storage_records_the_symlink_target_in_the_row():
    meta = {'Content-Type': 'application/symlink', 'Content-Length': 0, 'ETag': 'e',
            'X-Object-Sysmeta-Symlink-Target': 'c/o%3Bx'}
    assert updates.container_update_headers('PUT', meta, '1')['X-Content-Type'] == \
        'application/symlink;swift_symlink_target=c/o%3Bx'
    meta['X-Object-Sysmeta-Symlink-Target'] = 'c/o;evil=1'  # never stored so; never listed
    assert updates.listed_content_type(meta) == 'application/symlink'


def test_clients_cannot_write_swift_parameters():
    assert constraints.clean_content_type('text/plain; swift_symlink_target=c/o') == \
        'text/plain'
    assert constraints.clean_content_type('text/html;charset=utf-8;SWIFT_bytes=3') == \
        'text/html;charset=utf-8'
    assert constraints.clean_content_type('image/png') == 'image/png'


def test_symlink_target_form():
    assert symlink.parse_target('c/o/with/slashes') == ('c', 'o/with/slashes')
    assert symlink.parse_target('c%2Fx/o') == ('c', 'x/o')
    for bad in ('c', '/o', 'c/', '', 'c/o\x01', '%ff/o'):
        with pytest.raises(Exception) as err:
            symlink.parse_target(bad)
        assert err.value.code == 412


def test_crossdomain_document():
    doc = crossdomain.policy_document('')
    assert doc.startswith('<?xml version="1.0"?>\n<!DOCTYPE cross-domain-policy SYSTEM '
                          '"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >\n'
                          '<cross-domain-policy>\n')
    assert doc.endswith('</cross-domain-policy>') and 'allow-access-from' not in doc
    doc = crossdomain.policy_document('\n  <allow-access-from domain="a.example" />\n')
    assert '<allow-access-from domain="a.example" />\n</cross-domain-policy>' in doc


def test_static_listing_page_escapes_names():
    page = staticweb.listing_page('/v1/AUTH_a/c/d/', 'd/', [
        {'subdir': 'd/<s>/'}, {'name': 'd/"q"&.txt', 'bytes': 3,
                               'last_modified': '2026-01-02T03:04:05.123'}],
        css='style.css').decode()
    assert '<title>Listing of /v1/AUTH_a/c/d/</title>' in page
    assert 'href="../style.css"' in page
    assert '&lt;s&gt;/' in page and 'href="%3Cs%3E/"' in page
    assert '&quot;q&quot;&amp;.txt' in page and 'href="%22q%22%26.txt"' in page
    assert '2026-01-02 03:04:05' in page and '<s>' not in page
    # the owner's style sheet name cannot leave its attribute
    assert staticweb.css_link('x.css" onload="alert(1)', 0).count('"') == 6


def test_formpost_answers_only_for_forms_to_swift_paths():
    import webob
    from common import exceptions
    from objectstore.proxy.middleware import formpost
    seen = []

    def below(env, start_response):
        seen.append(env['PATH_INFO'])
        if env['PATH_INFO'] == '/v1/AUTH_a/raise':
            raise exceptions.RequestEntityTooLarge('too large')  # the fault layer's to render
        start_response('204 No Content', [])
        return [b'']
    app = formpost.FormPost(below)
    form_type = 'multipart/form-data; boundary=xyz'
    for path, ctype in (('/bucket/key', form_type), ('/v1/AUTH_a/c', 'text/plain')):
        resp = webob.Request.blank(path, method='POST', content_type=ctype,
                                   body=b'--xyz--').get_response(app)
        assert resp.status_int == 204 and seen[-1] == path
    with pytest.raises(exceptions.RequestEntityTooLarge):
        webob.Request.blank('/v1/AUTH_a/raise', method='POST',
                            content_type='text/plain').get_response(app)
    resp = webob.Request.blank('/v1/AUTH_a', method='POST', content_type=form_type,
                               body=b'--xyz--').get_response(app)
    assert resp.status_int == 400 and seen[-1] == '/v1/AUTH_a/raise'
