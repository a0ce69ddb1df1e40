"""S3 fixtures for the storage tests (tests/s3_server.py).

`s3_buckets` makes a fresh public and private bucket for one test and points
STORAGES at them the way cms/settings.py does when MEDIA_BUCKET /
PRIVATE_MEDIA_BUCKET are set.
"""

import uuid

import pytest

from tests.s3_server import REGION, s3_client, s3_server  # noqa: F401


@pytest.fixture
def s3_buckets(s3_server, s3_client, settings):  # noqa: F811
    """Fresh buckets; STORAGES["public"] and ["private"] on them (the
    default storage sends Wagtail documents to the private one)."""
    from cms.object_storage import private_media, public_media

    suffix = uuid.uuid4().hex[:10]
    public, private = f"nq-media-{suffix}", f"nq-private-{suffix}"
    for bucket in (public, private):
        s3_client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "public": public_media(public, endpoint_url=s3_server, region_name=REGION),
        "private": private_media(
            private, endpoint_url=s3_server, region_name=REGION, seconds=300
        ),
    }
    return {"public": public, "private": private, "endpoint": s3_server}
