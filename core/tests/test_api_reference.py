"""The API documentation's reference, read from an OpenAPI schema: operations grouped by
their tag, parameters and body fields with their types, nested fields, the responses;
worked out once per process and language."""

from unittest import mock

from django.utils import translation

from core.api import selectors
from core.api.selectors import reference_from_schema

SCHEMA = {
    "info": {"title": "Test-API", "version": "2.0", "description": "Voor de test."},
    "paths": {
        "/api/v1/teams/{id}/": {
            "delete": {"operationId": "teams_destroy", "tags": ["teams"], "responses": {"204": {}}},
            "get": {
                "operationId": "teams_retrieve",
                "tags": ["teams"],
                "description": "Een team\nover twee regels.\n\nEn een alinea.",
                "parameters": [
                    {"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}},
                    {
                        "in": "query",
                        "name": "role",
                        "schema": {"type": "string", "enum": ["trekker", "partner"]},
                        "description": "* `trekker` - trekker\n* `partner` - partner",
                    },
                    {"in": "query", "name": "page", "schema": {"type": "integer"}, "description": "A page."},
                ],
                "responses": {
                    "200": {
                        "description": "",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Team"}}},
                    },
                    "404": {"description": "Niet gevonden."},
                },
            },
        },
        "/api/v1/areas/": {
            "post": {
                "operationId": "areas_create",
                "tags": ["areas"],
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/AreaRequest"}},
                        "multipart/form-data": {"schema": {"$ref": "#/components/schemas/AreaRequest"}},
                    }
                },
                "responses": {"201": {"content": {"application/json": {"schema": {"type": "object"}}}}},
            }
        },
    },
    "components": {
        "schemas": {
            "Team": {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True}}},
            "Kind": {"enum": ["buurt", "wijk", ""]},
            "AreaRequest": {
                "type": "object",
                "required": ["name", "members"],
                "properties": {
                    "name": {"type": "string", "description": "De naam."},
                    "id": {"type": "integer", "readOnly": True},
                    "kind": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Kind"},
                            {"$ref": "#/components/schemas/Kind"},
                        ]
                    },
                    "file": {"type": "string", "format": "binary", "nullable": True},
                    "members": {"type": "array", "items": {"$ref": "#/components/schemas/MemberRequest"}},
                },
            },
            "MemberRequest": {
                "type": "object",
                "required": ["organisation"],
                "properties": {"organisation": {"type": "string"}},
            },
        }
    },
}


def test_operations_grouped_by_tag_with_parameters_fields_and_responses():
    with translation.override("nl"):
        reference = reference_from_schema(SCHEMA)
    assert (reference.title, reference.version, reference.operation_count) == ("Test-API", "2.0", 3)
    # Tags in alphabetical order; a path's methods in the order get, post, put, patch, delete.
    assert [tag.name for tag in reference.tags] == ["areas", "teams"]
    teams = reference.tag("teams")
    assert [(op.method, op.anchor) for op in teams.operations] == [
        ("GET", "teams_retrieve"),
        ("DELETE", "teams_destroy"),
    ]
    get = teams.operations[0]
    assert get.description == "Een team over twee regels.\n\nEn een alinea."
    assert [(p.name, p.location, p.type, p.required, p.description) for p in get.parameters] == [
        ("id", "pad", "integer", True, ""),
        # The choices stand in the type; the description's Markdown list of them goes.
        ("role", "zoekvraag", "keuze uit: trekker, partner", False, ""),
        ("page", "zoekvraag", "integer", False, "Het nummer van de pagina van de lijst (vanaf 1)."),
    ]
    # An empty description gets the status's meaning.
    assert [(r.status, r.description, r.content) for r in get.responses] == [
        ("200", "Gelukt.", "Team"),
        ("404", "Niet gevonden.", ""),
    ]
    assert teams.operations[1].responses[0].description == "Gelukt; het antwoord heeft geen inhoud."

    (create,) = reference.tag("areas").operations
    # JSON and multipart take the same fields: one table naming both.
    (body,) = create.bodies
    assert body.content_types == ("application/json", "multipart/form-data")
    assert [(f.name, f.type, f.required, f.description) for f in body.fields] == [
        ("name", "string", True, "De naam."),
        ("kind", "keuze uit: buurt, wijk", False, ""),
        ("file", "bestand of null", False, ""),
        ("members", "lijst van MemberRequest", True, ""),
        ("members[].organisation", "string", True, ""),
    ]
    assert create.responses[0].description == "Aangemaakt."


def test_the_reference_is_worked_out_once_per_language():
    selectors._reference.cache_clear()
    try:
        with mock.patch(
            "drf_spectacular.generators.SchemaGenerator.get_schema", return_value=SCHEMA
        ) as schema:
            with translation.override("nl"):
                first = selectors.api_reference()
                assert selectors.api_reference() is first
            with translation.override("en"):
                selectors.api_reference()
        assert schema.call_count == 2
    finally:
        selectors._reference.cache_clear()
