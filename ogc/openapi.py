"""The OpenAPI 3.0 definition of the OGC API – Features service (``/ogc/api``)."""

from ogc.selectors import CRS_LIST


def _parameter(name, where, schema, description, required=False, **extra):
    return {
        "name": name,
        "in": where,
        "required": required,
        "schema": schema,
        "description": description,
        **extra,
    }


def definition(*, server: str) -> dict:
    from ogc.views import LIMIT_DEFAULT, LIMIT_MAX

    fmt = _parameter("f", "query", {"type": "string", "enum": ["json", "html"]}, "Antwoord als JSON of HTML.")
    collection_id = _parameter(
        "collectionId",
        "path",
        {"type": "string"},
        "Bijvoorbeeld buurten-2025 of wijkkoers-veerkracht-2025-buurten.",
        required=True,
    )
    crs = _parameter(
        "crs",
        "query",
        {"type": "string", "format": "uri", "enum": list(CRS_LIST)},
        "Coördinaten van het antwoord.",
    )
    page = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    features = {
        "description": "Gebieden",
        "content": {"application/geo+json": {"schema": {"type": "object"}}},
    }
    errors = {
        "400": {"description": "Ongeldige parameter"},
        "401": {"description": "Niet ingelogd"},
        "404": {"description": "Niet gevonden"},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Wijkkoers OGC API – Features", "version": "1.0.0"},
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "Token <API-sleutel>",
                }
            }
        },
        "security": [{"token": []}],
        "paths": {
            "/": {
                "get": {"operationId": "landing", "parameters": [fmt], "responses": {"200": page, **errors}}
            },
            "/conformance": {
                "get": {
                    "operationId": "conformance",
                    "parameters": [fmt],
                    "responses": {"200": page, **errors},
                }
            },
            "/api": {
                "get": {"operationId": "api", "parameters": [fmt], "responses": {"200": page, **errors}}
            },
            "/collections": {
                "get": {
                    "operationId": "collections",
                    "parameters": [fmt],
                    "responses": {"200": page, **errors},
                }
            },
            "/collections/{collectionId}": {
                "get": {
                    "operationId": "collection",
                    "parameters": [collection_id, fmt],
                    "responses": {"200": page, **errors},
                }
            },
            "/collections/{collectionId}/items": {
                "get": {
                    "operationId": "items",
                    "parameters": [
                        collection_id,
                        _parameter(
                            "limit",
                            "query",
                            {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT},
                            "Aantal gebieden per pagina.",
                            style="form",
                            explode=False,
                        ),
                        _parameter(
                            "offset",
                            "query",
                            {"type": "integer", "minimum": 0, "default": 0},
                            "Begin bij dit gebied.",
                        ),
                        _parameter(
                            "bbox",
                            "query",
                            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
                            "west,zuid,oost,noord in bbox-crs.",
                            style="form",
                            explode=False,
                        ),
                        _parameter(
                            "bbox-crs",
                            "query",
                            {"type": "string", "format": "uri", "enum": list(CRS_LIST)},
                            "Coördinaten van bbox.",
                        ),
                        crs,
                        fmt,
                    ],
                    "responses": {"200": features, **errors},
                }
            },
            "/collections/{collectionId}/items/{featureId}": {
                "get": {
                    "operationId": "item",
                    "parameters": [
                        collection_id,
                        _parameter(
                            "featureId", "path", {"type": "string"}, "CBS-code van het gebied.", required=True
                        ),
                        crs,
                        fmt,
                    ],
                    "responses": {"200": features, **errors},
                }
            },
        },
    }
