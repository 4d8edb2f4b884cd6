"""Large images stream through the daemon without being held in memory."""
import hashlib
import time

import pytest

MiB = 1024 * 1024
RSS_LIMIT_KIB = 150 * 1024


def _roundtrip(image_api, daemon, size):
    api = image_api()
    img = api('POST', '/v2/images', json={'name': 'big', 'disk_format': 'raw',
                                          'container_format': 'bare'}).json()
    block = bytes(range(256)) * 4096  # 1 MiB, so the data is not one repeated byte
    md5, sha = hashlib.md5(), hashlib.sha512()

    def body():
        for i in range(size // MiB):
            chunk = block[i % 256:] + block[:i % 256]
            md5.update(chunk)
            sha.update(chunk)
            yield chunk

    started = time.monotonic()
    resp = api('PUT', '/v2/images/%s/file' % img['id'], data=body(), timeout=1200,
               headers={'Content-Type': 'application/octet-stream'})
    assert resp.status_code == 204, resp.text
    upload = time.monotonic() - started
    got = api('GET', '/v2/images/%s' % img['id']).json()
    assert got['size'] == size and got['checksum'] == md5.hexdigest()
    assert got['os_hash_value'] == sha.hexdigest()
    down_md5, down_sha, total = hashlib.md5(), hashlib.sha512(), 0
    started = time.monotonic()
    with api('GET', '/v2/images/%s/file' % img['id'], stream=True, timeout=1200) as resp:
        assert resp.headers['Content-MD5'] == md5.hexdigest()
        for chunk in resp.iter_content(MiB):
            down_md5.update(chunk)
            down_sha.update(chunk)
            total += len(chunk)
    download = time.monotonic() - started
    print('\n%d MiB: upload %.1f s, download %.1f s, image-api peak RSS %d KiB'
          % (size // MiB, upload, download, daemon.rss_kib()))
    assert total == size and down_md5.hexdigest() == md5.hexdigest()
    assert down_sha.hexdigest() == sha.hexdigest()
    assert daemon.rss_kib() < RSS_LIMIT_KIB, '%d KiB resident' % daemon.rss_kib()


def test_256mib_roundtrip_rss(image_daemon, image_api):
    _roundtrip(image_api, image_daemon, 256 * MiB)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_2gib_roundtrip_rss(image_daemon_factory, image_api_for):
    daemon = image_daemon_factory(backends='file1:file').start()
    _roundtrip(lambda: image_api_for(daemon), daemon, 2048 * MiB)
