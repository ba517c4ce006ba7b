"""The API reference a person reads on the documentation page, worked out from the same
OpenAPI schema that ``/api/v1/schema/`` serves (drf-spectacular), so the page and the
schema cannot tell different stories."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

# The schema's request bodies that a client sends; url-encoded forms take the same fields
# as multipart, and the page names only these two.
BODY_TYPES = ("application/json", "multipart/form-data")
METHOD_ORDER = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class BodyField:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Body:
    content_types: tuple[str, ...]
    fields: tuple[BodyField, ...]


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    content: str


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    bodies: tuple[Body, ...]
    responses: tuple[Response, ...]


@dataclass
class Tag:
    name: str
    operations: list[Operation] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    description: str
    tags: tuple[Tag, ...]

    @property
    def operation_count(self) -> int:
        return sum(len(tag.operations) for tag in self.tags)

    def tag(self, name: str) -> Tag | None:
        return next((tag for tag in self.tags if tag.name == name), None)


# drf-spectacular lists a choice field's choices in its description as Markdown
# ("* `lezer` - lezer"); the type column names them already.
CHOICE_LINE = re.compile(r"^\* `[^`]*` - .*$", re.MULTILINE)


def _text(description: str) -> str:
    """A description from the schema as paragraphs: the lines of a docstring joined,
    the choices the type column shows left out."""
    paragraphs = re.split(r"\n\s*\n", CHOICE_LINE.sub("", description or "").strip())
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs)


def _standard_parameters():
    """Dutch descriptions of the query parameters every list has (the framework's own
    are in English)."""
    return {
        "page": _("Het nummer van de pagina van de lijst (vanaf 1)."),
        "page_size": _("Hoeveel resultaten een pagina heeft."),
        "ordering": _("Het veld waarop de lijst gesorteerd wordt; met een minteken ervoor aflopend."),
        "search": _("Zoekt in de lijst op deze tekst."),
    }


def _locations():
    return {
        "path": _("pad"),
        "query": _("zoekvraag"),
        "header": _("kop"),
        "cookie": _("cookie"),
    }


def _status_text(status: str) -> str:
    """What a status says where the schema gives no description of its own."""
    texts = {
        "200": _("Gelukt."),
        "201": _("Aangemaakt."),
        "202": _("Aangenomen; het werk loopt op de achtergrond."),
        "204": _("Gelukt; het antwoord heeft geen inhoud."),
    }
    return texts.get(status, "")


class _Schema:
    """Reads a schema: resolves references to components and names types."""

    def __init__(self, schema: dict):
        self.components = schema.get("components", {}).get("schemas", {})

    def resolve(self, node: dict) -> dict:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 10:
            node = self.components.get(node["$ref"].rsplit("/", 1)[-1], {})
            seen += 1
        return node if isinstance(node, dict) else {}

    def type_name(self, node: dict) -> str:
        if not isinstance(node, dict):
            return ""
        if "$ref" in node:
            target = self.components.get(node["$ref"].rsplit("/", 1)[-1], {})
            if "enum" in target:
                return self.type_name(target)
            return node["$ref"].rsplit("/", 1)[-1]
        for combination in ("allOf", "oneOf", "anyOf"):
            if combination in node:
                names = [self.type_name(part) for part in node[combination]]
                names = list(dict.fromkeys(name for name in names if name))
                return _(" of ").join(names) if combination != "allOf" else ", ".join(names)
        kind = node.get("type", "")
        if kind == "array":
            text = _("lijst van %(type)s") % {"type": self.type_name(node.get("items", {})) or _("waarden")}
        elif "enum" in node:
            choices = ", ".join(str(value) for value in node["enum"] if value not in (None, ""))
            if not choices:
                return ""  # the empty choice of a field that may be left empty
            text = _("keuze uit: %(choices)s") % {"choices": choices}
        else:
            text = kind or _("object")
            if node.get("format") == "binary":
                text = _("bestand")
            elif node.get("format"):
                text = f"{text} ({node['format']})"
        if node.get("nullable"):
            text = _("%(type)s of null") % {"type": text}
        return text

    def fields(self, node: dict, prefix: str = "", depth: int = 0) -> tuple[BodyField, ...]:
        """The fields a client sends; those of a nested object (or of each object in a
        list) follow their field, named ``parties[].organisation``."""
        node = self.resolve(node)
        required = set(node.get("required", []))
        result = []
        for name, prop in node.get("properties", {}).items():
            resolved = self.resolve(prop) if "$ref" in prop else prop
            if resolved.get("readOnly"):
                continue
            description = _text(
                prop.get("description") or resolved.get("description") or prop.get("title", "")
            )
            result.append(
                BodyField(
                    name=prefix + name,
                    type=self.type_name(prop),
                    required=name in required,
                    description=description,
                )
            )
            items = self.resolve(resolved.get("items", {})) if resolved.get("type") == "array" else {}
            inner, mark = (items, "[].") if items.get("properties") else (resolved, ".")
            if inner.get("properties") and depth < 2:
                result.extend(self.fields(inner, f"{prefix}{name}{mark}", depth + 1))
        return tuple(result)

    def content(self, response: dict) -> str:
        """The shape of a JSON answer: a component's name, or a list of them."""
        for media_type, body in response.get("content", {}).items():
            if "json" in media_type:
                return self.type_name(body.get("schema", {}))
            return media_type
        return ""


def _operation(reader: _Schema, path: str, method: str, operation: dict) -> Operation:
    locations = _locations()
    standard = _standard_parameters()
    parameters = tuple(
        Parameter(
            name=parameter["name"],
            location=locations.get(parameter.get("in", ""), parameter.get("in", "")),
            type=reader.type_name(parameter.get("schema", {})),
            required=bool(parameter.get("required")),
            description=(
                standard[parameter["name"]]
                if parameter.get("in") == "query" and parameter["name"] in standard
                else _text(parameter.get("description", ""))
            ),
        )
        for parameter in operation.get("parameters", [])
    )
    bodies = []
    content = operation.get("requestBody", {}).get("content", {})
    for media_type in BODY_TYPES:
        if media_type not in content:
            continue
        fields = reader.fields(content[media_type].get("schema", {}))
        same = next((body for body in bodies if body.fields == fields), None)
        if same is not None:
            bodies[bodies.index(same)] = Body(content_types=(*same.content_types, media_type), fields=fields)
        else:
            bodies.append(Body(content_types=(media_type,), fields=fields))
    responses = tuple(
        Response(
            status=status,
            description=_text(response.get("description")) or _status_text(status),
            content=reader.content(response),
        )
        for status, response in sorted(operation.get("responses", {}).items())
    )
    return Operation(
        anchor=operation.get("operationId", f"{method}-{path}"),
        method=method.upper(),
        path=path,
        summary=_text(operation.get("summary", "")),
        description=_text(operation.get("description", "")),
        parameters=parameters,
        bodies=tuple(bodies),
        responses=responses,
    )


def reference_from_schema(schema: dict) -> Reference:
    """The operations of an OpenAPI schema grouped by tag (their first), tags and paths
    in alphabetical order, the methods of a path in the order get, post, put, patch,
    delete."""
    reader = _Schema(schema)
    tags: dict[str, Tag] = {}
    for path in sorted(schema.get("paths", {})):
        operations = schema["paths"][path]
        for method in sorted((m for m in operations if m in METHOD_ORDER), key=METHOD_ORDER.index):
            operation = operations[method]
            name = (operation.get("tags") or [_("overig")])[0]
            tag = tags.setdefault(name, Tag(name=name))
            tag.operations.append(_operation(reader, path, method, operation))
    info = schema.get("info", {})
    return Reference(
        title=info.get("title", ""),
        version=info.get("version", ""),
        description=info.get("description", ""),
        tags=tuple(tags[name] for name in sorted(tags)),
    )


@lru_cache(maxsize=4)
def _reference(language: str) -> Reference:
    from drf_spectacular.generators import SchemaGenerator

    with override(language):
        return reference_from_schema(SchemaGenerator().get_schema(request=None, public=True))


def api_reference() -> Reference:
    """The API reference in the active language, worked out once per process and
    language: the schema only changes with the code."""
    return _reference(get_language() or "nl")
