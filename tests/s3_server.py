"""A real S3 API for the suite: moto's server on a loopback port.

`s3_server` starts one ThreadedMotoServer per session (its URL);
`s3_client` is a boto3 client for it. Import both into a conftest.
"""

import os

import pytest

boto3 = pytest.importorskip("boto3", reason="boto3 not installed (runtime dep)")
moto_server = pytest.importorskip(
    "moto.server", reason="moto[server] not installed (test extra)"
)

REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_server():
    # moto accepts any key; boto3 must find one to sign with.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "nguonque-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "nguonque-test-secret")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_client(s3_server):
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        config=Config(signature_version="s3v4"),
    )
