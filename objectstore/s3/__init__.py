"""S3 API on the proxy port: AWS SigV4 (checked by identity's s3tokens) and the S3
operations, translated into Swift requests on the caller's account."""
