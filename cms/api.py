"""OpenAPI document settings shared by every app's API."""


def only_public_api(endpoints):
    """Keep /api/v1/ in the OpenAPI document; Wagtail's admin API is internal."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
