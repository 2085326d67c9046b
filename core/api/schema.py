"""The error responses every /api/ operation can give, added to the OpenAPI schema (a drf-spectacular
postprocessing hook), so clients and schema-driven tests see them documented.

- 400: a bad filter, parameter or body, keyed by the field (``{"date_from": ["…"]}``) or ``detail``;
- 401: no or bad credentials; 403: signed in but not allowed (a write by an analyst);
- 404: an unknown or malformed id, a page past the end, or an unknown ``format``; 409: a write the record's state forbids
  (deleting a product that has sales, refunding a refunded sale); 429: throttled (``Retry-After``).
"""

DETAIL = "ErrorDetail"
FIELD_ERRORS = "FieldErrors"
SCHEMAS = {
    DETAIL: {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    FIELD_ERRORS: {
        "type": "object",
        "description": "Messages by field name (a list of strings, or nested for a nested field); "
        "`detail` or `non_field_errors` for the request as a whole.",
        "additionalProperties": {},
    },
}
DESCRIPTIONS = {
    "400": "Bad request: the messages say which parameter or field is wrong and why.",
    "401": "Not signed in: no credentials, or a bad or revoked token.",
    "403": "Signed in without the permission: analysts read, staff write.",
    "404": "No record with this id (an unknown or malformed id), or no such page.",
    "409": "The record's state forbids this change (e.g. deleting a product that has sales).",
    "429": "Too many requests: retry after the seconds in the `Retry-After` header.",
}
WRITES = {"post", "put", "patch", "delete"}


def _response(code: str, schema: str) -> dict:
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: document the errors on every operation under /api/."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            # 404 everywhere: an unknown id, a page past the end, or an unknown `format` (DRF).
            codes = {"400": FIELD_ERRORS, "401": DETAIL, "403": DETAIL, "404": DETAIL, "429": DETAIL}
            if method in WRITES:
                codes["409"] = DETAIL
            responses = operation.setdefault("responses", {})
            for code, schema in codes.items():
                responses.setdefault(code, _response(code, schema))
    return result
