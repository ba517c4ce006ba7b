"""The error responses every API operation can give, declared once for the whole schema
instead of per view: a client (and the fuzzer in the test suite) can rely on the schema
for every status it may get."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Een foutmelding in het Nederlands, met een code.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Per veld (of non_field_errors) de meldingen over wat er niet klopt.",
    "additionalProperties": {},
}

FIELD_ERRORS = {
    "description": "De aanvraag klopt niet; per veld staat wat er mis is.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FieldErrors"}}},
}


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


EVERY_OPERATION = {
    "400": FIELD_ERRORS,
    "401": _error("Niet ingelogd: log in of stuur een API-sleutel mee."),
    "403": _error("U mag dit wel bekijken, maar niet doen."),
    "404": _error("Niet gevonden, of u heeft er geen toegang toe."),
}
WRITES = {
    "409": _error("Iemand anders wijzigde dit intussen: haal de nieuwe versie op en probeer opnieuw."),
}
WITH_BODY = {
    "415": _error("Deze soort inhoud (Content-Type) neemt dit adres niet aan."),
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error responses on every operation (409,
    a stale edit, on writes; 415 where a body is sent), where a view does not declare
    its own."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    components.setdefault("FieldErrors", FIELD_ERRORS_SCHEMA)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            extra = {
                **EVERY_OPERATION,
                **(WRITES if method in WRITE_METHODS else {}),
                **(WITH_BODY if "requestBody" in operation else {}),
            }
            for status, response in extra.items():
                responses.setdefault(status, response)
    return result
