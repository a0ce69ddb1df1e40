import json


def test_openapi_document_is_json_at_its_json_address(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    # Only the public API is documented, not Wagtail's internal admin API.
    assert document["paths"]
    assert all(path.startswith("/api/v1/") for path in document["paths"])
