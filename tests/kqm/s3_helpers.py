"""A real S3-compatible server for tests: moto's server mode, on a free port of 127.0.0.1.

Import ``s3_server_fixture`` and ``s3_media_fixture`` into a test module to use them:
``s3_media`` points the media storage (``MEDIA_STORAGE=s3``) at a fresh private bucket on
it; ``s3_environment`` gives the same as environment variables, for processes a test starts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

CREDENTIALS = {"access_key": "kqm-test-key", "secret_key": "kqm-test-secret"}
REGION = "eu-west-2"


@dataclass
class S3Bucket:
    endpoint: str
    name: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
        )

    def keys(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client().get_object(Bucket=self.name, Key=key)["Body"].read())

    def storage_options(self) -> dict[str, object]:
        return {
            "bucket_name": self.name,
            "endpoint_url": self.endpoint,
            "region_name": REGION,
            "location": "media",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            **CREDENTIALS,
        }

    def environment(self) -> dict[str, str]:
        return {
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": self.name,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": CREDENTIALS["access_key"],
            "S3_SECRET_ACCESS_KEY": CREDENTIALS["secret_key"],
        }


@pytest.fixture(scope="session", name="s3_server")
def s3_server_fixture() -> Iterator[str]:
    """The endpoint of an S3-compatible server that lives as long as the test process."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def new_bucket(endpoint: str) -> S3Bucket:
    bucket = S3Bucket(endpoint=endpoint, name=f"kqm-{uuid.uuid4().hex[:12]}")
    bucket.client().create_bucket(
        Bucket=bucket.name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return bucket


@pytest.fixture(name="s3_media")
def s3_media_fixture(s3_server: str, settings: Any) -> S3Bucket:
    """The media storage of this test: a new private bucket on the S3-compatible server."""
    bucket = new_bucket(s3_server)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": bucket.storage_options(),
        },
    }
    return bucket
