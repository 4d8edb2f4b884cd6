"""The object store proxy: Swift API v1 (and S3 through objectstore.s3) on port 8080."""
