"""STORAGES entries for an S3-compatible object store (django-storages).

Imported by settings: no Django imports here.
"""


def s3_storage(
    bucket: str, *, endpoint_url: str | None, region_name: str, **options
) -> dict:
    """A STORAGES entry for one bucket.

    Keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the
    environment (boto3 reads them); no key is written in settings.
    """
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            # AWS Signature Version 4: the only one S3 accepts in new regions,
            # and the one whose presigned URLs carry their own expiry.
            "signature_version": "s3v4",
            "addressing_style": "path" if endpoint_url else None,
            "file_overwrite": False,
            **options,
        },
    }


def public_media(bucket: str, *, endpoint_url, region_name, domain=None) -> dict:
    """Wagtail images and renditions: public objects at plain URLs, cached by
    browsers and any CDN (a rendition's name changes when its image does)."""
    return s3_storage(
        bucket,
        endpoint_url=endpoint_url,
        region_name=region_name,
        default_acl="public-read",
        querystring_auth=False,
        custom_domain=domain or None,
        object_parameters={"CacheControl": "public, max-age=31536000"},
    )


def private_media(bucket: str, *, endpoint_url, region_name, seconds: int) -> dict:
    """Certificate scans, label and parcel PDFs: no public ACL; reachable only
    through a presigned URL valid for `seconds`, handed out by a view that
    checked the user."""
    return s3_storage(
        bucket,
        endpoint_url=endpoint_url,
        region_name=region_name,
        default_acl="private",
        querystring_auth=True,
        querystring_expire=seconds,
        object_parameters={"CacheControl": "private, no-store"},
    )
