"""Proxy API features against real storage servers: TempURL, SLO, DLO, versioning, bulk,
quotas, CORS, S3 through boto3."""
import hashlib
import hmac
import io
import json
import tarfile
import time

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests

pytestmark = pytest.mark.timeout(300)


def call(proxy, user, method, path, **kw):
    headers = kw.pop('headers', {})
    headers.setdefault('X-Auth-Token', user.token)
    return requests.request(method, proxy.storage_url(user) + path, headers=headers,
                            timeout=60, **kw)


def test_tempurl(proxy, alice):
    call(proxy, alice, 'POST', '', headers={'X-Account-Meta-Temp-URL-Key': 'sekrit'})
    call(proxy, alice, 'PUT', '/tmp')
    call(proxy, alice, 'PUT', '/tmp/file.txt', data=b'temp data')
    path = '/v1/%s/tmp/file.txt' % alice.account
    expires = int(time.time()) + 60
    for digest in (hashlib.sha1, hashlib.sha256, hashlib.sha512):
        sig = hmac.new(b'sekrit', ('GET\n%d\n%s' % (expires, path)).encode(), digest).hexdigest()
        r = requests.get(proxy.url + path, params={'temp_url_sig': sig,
                                                   'temp_url_expires': expires}, timeout=10)
        assert r.status_code == 200 and r.content == b'temp data'
        assert r.headers['Content-Disposition'].startswith('attachment')
    r = requests.get(proxy.url + path, params={'temp_url_sig': sig, 'temp_url_expires': expires,
                                               'inline': ''}, timeout=10)
    assert r.headers['Content-Disposition'].startswith('inline')
    r = requests.put(proxy.url + path, params={'temp_url_sig': sig,
                                               'temp_url_expires': expires}, data=b'x',
                     timeout=10)
    assert r.status_code == 401  # signed for GET only
    old = int(time.time()) - 10
    sig = hmac.new(b'sekrit', ('GET\n%d\n%s' % (old, path)).encode(), hashlib.sha256).hexdigest()
    assert requests.get(proxy.url + path, params={'temp_url_sig': sig, 'temp_url_expires': old},
                        timeout=10).status_code == 401
    put_path = '/v1/%s/tmp/uploaded' % alice.account
    sig = hmac.new(b'sekrit', ('PUT\n%d\n%s' % (expires, put_path)).encode(),
                   hashlib.sha256).hexdigest()
    assert requests.put(proxy.url + put_path, data=b'via temp url', timeout=10, params={
        'temp_url_sig': sig, 'temp_url_expires': expires}).status_code == 201
    assert call(proxy, alice, 'GET', '/tmp/uploaded').content == b'via temp url'


def test_slo_and_dlo(proxy, alice):
    call(proxy, alice, 'PUT', '/segs')
    call(proxy, alice, 'PUT', '/lo')
    parts = [b'a' * 1000, b'b' * 1000, b'c' * 10]
    etags = [call(proxy, alice, 'PUT', '/segs/p%d' % i, data=p).headers['ETag']
             for i, p in enumerate(parts)]
    manifest = [{'path': '/segs/p%d' % i, 'etag': e, 'size_bytes': len(parts[i])}
                for i, e in enumerate(etags)]
    bad = [dict(manifest[0], etag='0' * 32)]
    assert call(proxy, alice, 'PUT', '/lo/slo?multipart-manifest=put',
                data=json.dumps(bad)).status_code == 400
    r = call(proxy, alice, 'PUT', '/lo/slo?multipart-manifest=put', data=json.dumps(manifest))
    assert r.status_code == 201, r.text
    whole = b''.join(parts)
    r = call(proxy, alice, 'GET', '/lo/slo')
    assert r.content == whole and r.headers['X-Static-Large-Object'] == 'True'
    assert r.headers['ETag'].strip('"') == hashlib.md5(''.join(etags).encode()).hexdigest()
    assert int(call(proxy, alice, 'HEAD', '/lo/slo').headers['Content-Length']) == len(whole)
    r = call(proxy, alice, 'GET', '/lo/slo', headers={'Range': 'bytes=990-1009'})
    assert r.status_code == 206 and r.content == whole[990:1010]
    raw = call(proxy, alice, 'GET', '/lo/slo?multipart-manifest=get').json()
    assert [row['name'] for row in raw] == ['/segs/p0', '/segs/p1', '/segs/p2']
    # DLO over the same segments
    call(proxy, alice, 'PUT', '/lo/dlo', data=b'', headers={'X-Object-Manifest': 'segs/p'})
    assert call(proxy, alice, 'GET', '/lo/dlo').content == whole
    assert call(proxy, alice, 'GET', '/lo/dlo', headers={'Range': 'bytes=-5'}).content == whole[-5:]
    assert call(proxy, alice, 'PUT', '/lo/bad', data=b'',
                headers={'X-Object-Manifest': 'nocontainer'}).status_code == 400
    r = call(proxy, alice, 'DELETE', '/lo/slo?multipart-manifest=delete',
             headers={'Accept': 'application/json'})
    assert r.json()['Number Deleted'] == 4
    assert call(proxy, alice, 'HEAD', '/segs/p0').status_code == 404


def test_versioning_both_modes(proxy, alice):
    call(proxy, alice, 'PUT', '/archive')
    assert call(proxy, alice, 'PUT', '/stack', headers={
        'X-Versions-Location': 'archive', 'X-History-Location': 'archive'}).status_code == 400
    call(proxy, alice, 'PUT', '/stack', headers={'X-Versions-Location': 'archive'})
    for body in (b'v1', b'v2', b'v3'):
        assert call(proxy, alice, 'PUT', '/stack/doc', data=body).status_code == 201
    assert len(call(proxy, alice, 'GET', '/archive').text.split()) == 2
    assert call(proxy, alice, 'DELETE', '/stack/doc').status_code == 204
    assert call(proxy, alice, 'GET', '/stack/doc').content == b'v2'
    call(proxy, alice, 'DELETE', '/stack/doc')
    assert call(proxy, alice, 'GET', '/stack/doc').content == b'v1'
    call(proxy, alice, 'DELETE', '/stack/doc')
    assert call(proxy, alice, 'GET', '/stack/doc').status_code == 404
    call(proxy, alice, 'PUT', '/hist-archive')
    call(proxy, alice, 'PUT', '/hist', headers={'X-History-Location': 'hist-archive'})
    call(proxy, alice, 'PUT', '/hist/doc', data=b'h1')
    call(proxy, alice, 'PUT', '/hist/doc', data=b'h2')
    assert call(proxy, alice, 'DELETE', '/hist/doc').status_code == 204
    assert call(proxy, alice, 'GET', '/hist/doc').status_code == 404
    assert len(call(proxy, alice, 'GET', '/hist-archive').text.split()) == 2


def test_bulk_delete_and_extract(proxy, alice):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        for name in ('x/one', 'x/two', 'y/three'):
            info = tarfile.TarInfo(name)
            info.size = len(name)
            tar.addfile(info, io.BytesIO(name.encode()))
    r = call(proxy, alice, 'PUT', '/?extract-archive=tar.gz', data=buf.getvalue(),
             headers={'Accept': 'application/json'})
    assert r.json()['Number Files Created'] == 3, r.text
    assert call(proxy, alice, 'GET', '/x/two').content == b'x/two'
    r = call(proxy, alice, 'POST', '?bulk-delete', data='x/one\nx/two\ny/three\nx/missing\ny\n',
             headers={'Accept': 'application/json', 'Content-Type': 'text/plain'})
    result = r.json()
    assert result['Number Deleted'] == 4 and result['Number Not Found'] == 1, result
    assert call(proxy, alice, 'HEAD', '/y').status_code == 404


def test_quotas(proxy, alice):
    call(proxy, alice, 'PUT', '/q', headers={'X-Container-Meta-Quota-Bytes': '10',
                                            'X-Container-Meta-Quota-Count': '2'})
    assert call(proxy, alice, 'PUT', '/q/a', data=b'12345').status_code == 201
    assert call(proxy, alice, 'PUT', '/q/b', data=b'123456').status_code == 413
    assert call(proxy, alice, 'PUT', '/q/c', data=b'1').status_code == 201
    assert call(proxy, alice, 'PUT', '/q/d', data=b'1').status_code == 413
    assert call(proxy, alice, 'POST', '/q', headers={
        'X-Container-Meta-Quota-Bytes': 'lots'}).status_code == 400
    assert call(proxy, alice, 'POST', '', headers={
        'X-Account-Meta-Quota-Bytes': '100'}).status_code == 403
    reseller = proxy.user('operator', roles=['ResellerAdmin'])
    r = requests.post(proxy.storage_url(alice), timeout=10, headers={
        'X-Auth-Token': reseller.token, 'X-Account-Meta-Quota-Bytes': '20'})
    assert r.status_code == 204
    call(proxy, alice, 'PUT', '/q2')
    assert call(proxy, alice, 'PUT', '/q2/big', data=b'x' * 30).status_code == 413


def test_cors_preflight(proxy, alice):
    call(proxy, alice, 'PUT', '/web', headers={
        'X-Container-Meta-Access-Control-Allow-Origin': 'https://app.example.com',
        'X-Container-Meta-Access-Control-Max-Age': '600'})
    url = proxy.storage_url(alice) + '/web/obj'
    r = requests.options(url, timeout=10, headers={
        'Origin': 'https://app.example.com', 'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'x-auth-token'})
    assert r.status_code == 200
    assert r.headers['Access-Control-Allow-Origin'] == 'https://app.example.com'
    assert r.headers['Access-Control-Max-Age'] == '600'
    assert 'x-auth-token' in r.headers['Access-Control-Allow-Headers']
    r = requests.options(url, timeout=10, headers={
        'Origin': 'https://evil.example.com', 'Access-Control-Request-Method': 'GET'})
    assert r.status_code == 401
    r = requests.options(url, timeout=10, headers={
        'Origin': 'https://global.example.com', 'Access-Control-Request-Method': 'GET'})
    assert r.status_code == 200
    call(proxy, alice, 'PUT', '/web/obj', data=b'x')
    r = call(proxy, alice, 'GET', '/web/obj', headers={'Origin': 'https://app.example.com'})
    assert r.headers['Access-Control-Allow-Origin'] == 'https://app.example.com'
    assert 'etag' in r.headers['Access-Control-Expose-Headers']


def s3_client(proxy, user):
    return boto3.client('s3', endpoint_url=proxy.url, aws_access_key_id=user.access,
                        aws_secret_access_key=user.secret, region_name='us-east-1',
                        config=botocore.config.Config(s3={'addressing_style': 'path'},
                                                      signature_version='s3v4',
                                                      retries={'max_attempts': 1}))


def test_s3_round_trip(proxy, alice, bob):
    s3 = s3_client(proxy, alice)
    s3.create_bucket(Bucket='s3bucket')
    assert 's3bucket' in [b['Name'] for b in s3.list_buckets()['Buckets']]
    s3.head_bucket(Bucket='s3bucket')
    s3.put_object(Bucket='s3bucket', Key='dir/a.txt', Body=b'hello s3',
                  Metadata={'colour': 'red'})
    s3.put_object(Bucket='s3bucket', Key='dir/b.txt', Body=b'second')
    s3.put_object(Bucket='s3bucket', Key='top', Body=b'')
    got = s3.get_object(Bucket='s3bucket', Key='dir/a.txt')
    assert got['Body'].read() == b'hello s3' and got['Metadata'] == {'colour': 'red'}
    assert s3.get_object(Bucket='s3bucket', Key='dir/a.txt', Range='bytes=1-3')[
        'Body'].read() == b'ell'
    assert s3.head_object(Bucket='s3bucket', Key='dir/b.txt')['ContentLength'] == 6
    listing = s3.list_objects_v2(Bucket='s3bucket', Delimiter='/')
    assert [c['Prefix'] for c in listing['CommonPrefixes']] == ['dir/']
    assert [o['Key'] for o in listing['Contents']] == ['top']
    page = s3.list_objects_v2(Bucket='s3bucket', MaxKeys=1)
    assert page['IsTruncated'] and page['KeyCount'] == 1
    rest = s3.list_objects_v2(Bucket='s3bucket', ContinuationToken=page[
        'NextContinuationToken'])
    assert [o['Key'] for o in rest['Contents']] == ['dir/b.txt', 'top']
    v1 = s3.list_objects(Bucket='s3bucket', Prefix='dir/', Marker='dir/a.txt')
    assert [o['Key'] for o in v1['Contents']] == ['dir/b.txt']
    s3.copy_object(Bucket='s3bucket', Key='copy', CopySource={'Bucket': 's3bucket',
                                                              'Key': 'dir/a.txt'})
    assert s3.get_object(Bucket='s3bucket', Key='copy')['Body'].read() == b'hello s3'
    # multipart: two 5 MiB parts and a small last one, stored as an SLO
    up = s3.create_multipart_upload(Bucket='s3bucket', Key='multi', ContentType='text/x-m')
    chunks = [b'1' * (5 * 1024 * 1024), b'2' * (5 * 1024 * 1024), b'3' * 100]
    parts = []
    for number, chunk in enumerate(chunks, 1):
        r = s3.upload_part(Bucket='s3bucket', Key='multi', UploadId=up['UploadId'],
                           PartNumber=number, Body=chunk)
        parts.append({'PartNumber': number, 'ETag': r['ETag']})
    assert len(s3.list_parts(Bucket='s3bucket', Key='multi',
                             UploadId=up['UploadId'])['Parts']) == 3
    done = s3.complete_multipart_upload(Bucket='s3bucket', Key='multi',
                                        UploadId=up['UploadId'],
                                        MultipartUpload={'Parts': parts})
    assert done['ETag'].strip('"').endswith('-3')
    body = s3.get_object(Bucket='s3bucket', Key='multi')
    assert body['Body'].read() == b''.join(chunks) and body['ContentType'] == 'text/x-m'
    up2 = s3.create_multipart_upload(Bucket='s3bucket', Key='aborted')
    s3.abort_multipart_upload(Bucket='s3bucket', Key='aborted', UploadId=up2['UploadId'])
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.list_parts(Bucket='s3bucket', Key='aborted', UploadId=up2['UploadId'])
    assert err.value.response['Error']['Code'] == 'NoSuchUpload'
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.get_object(Bucket='s3bucket', Key='missing')
    assert err.value.response['Error']['Code'] == 'NoSuchKey'
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.delete_bucket(Bucket='s3bucket')
    assert err.value.response['Error']['Code'] == 'BucketNotEmpty'
    # presigned GET
    url = s3.generate_presigned_url('get_object', Params={'Bucket': 's3bucket',
                                                          'Key': 'dir/a.txt'}, ExpiresIn=60)
    assert requests.get(url, timeout=10).content == b'hello s3'
    # another project's credentials cannot read alice's bucket (it is not theirs)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3_client(proxy, bob).get_object(Bucket='s3bucket', Key='dir/a.txt')
    assert err.value.response['Error']['Code'] in ('NoSuchBucket', 'NoSuchKey')
    # wrong secret
    wrong = boto3.client('s3', endpoint_url=proxy.url, aws_access_key_id=alice.access,
                         aws_secret_access_key='wrong', region_name='us-east-1',
                         config=botocore.config.Config(s3={'addressing_style': 'path'}))
    with pytest.raises(botocore.exceptions.ClientError) as err:
        wrong.list_buckets()
    assert err.value.response['Error']['Code'] == 'SignatureDoesNotMatch'
    deleted = s3.delete_objects(Bucket='s3bucket', Delete={'Objects': [
        {'Key': k} for k in ('dir/a.txt', 'dir/b.txt', 'top', 'copy', 'multi')]})
    assert len(deleted['Deleted']) == 5
    s3.delete_bucket(Bucket='s3bucket')
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.head_bucket(Bucket='s3bucket')
    assert err.value.response['Error']['Code'] == '404'
