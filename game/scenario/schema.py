"""The JSON Schema of a scenario, in draft-7 form so yaml-language-server and most editors can use it.

Pydantic 2 writes 2020-12 style schemas (`$defs`); editors commonly understand draft-7 best, so the
definitions move to `definitions`, references follow, and a check refuses any keyword newer than draft-7.
The generated file is committed as `scenario.schema.json`; a test fails when it drifts from the models.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .scenario import SCHEMA_VERSION, Scenario

DRAFT_7 = "http://json-schema.org/draft-07/schema#"
SCHEMA_ID = f"urn:salient:scenario:v{SCHEMA_VERSION}"
"""A URN rather than a URL: nothing to fetch, nothing that can go stale."""
SCHEMA_FILE = "scenario.schema.json"

NEWER_KEYWORDS = frozenset(
    {
        "$defs",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
        "$vocabulary",
        "prefixItems",
        "unevaluatedProperties",
        "unevaluatedItems",
        "dependentRequired",
        "dependentSchemas",
        "minContains",
        "maxContains",
        "contentSchema",
    }
)
"""Keywords from JSON Schema 2019-09 and 2020-12 that a draft-7 reader would silently ignore."""
_NON_STANDARD = frozenset({"discriminator"})
"""OpenAPI keywords pydantic adds; they mean nothing to a JSON Schema validator."""
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions"})


def draft7_schema(model: type[BaseModel], schema_id: str, title: str) -> dict[str, Any]:
    """The draft-7 JSON Schema of a model (every field's docstring as its description); refuses newer keywords."""
    raw = model.model_json_schema(ref_template="#/definitions/{model}")
    definitions = raw.pop("$defs", {})
    raw.pop("title", None)
    schema: dict[str, Any] = _strip(
        {"$schema": DRAFT_7, "$id": schema_id, "title": title, **raw, "definitions": definitions}
    )
    newer = sorted(_keywords(schema) & NEWER_KEYWORDS)
    if newer:
        raise ValueError(f"the {title.lower()} schema uses keywords newer than draft-7: {', '.join(newer)}")
    return schema


def schema_file_text(schema: dict[str, Any]) -> str:
    """A schema as the committed files hold it: two-space indents, UTF-8, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def scenario_json_schema() -> dict[str, Any]:
    """The draft-7 JSON Schema of `Scenario`."""
    return draft7_schema(Scenario, SCHEMA_ID, "Salient scenario")


def schema_text() -> str:
    """The scenario schema as the committed file holds it."""
    return schema_file_text(scenario_json_schema())


def _strip(node: Any, *, names: bool = False) -> Any:
    """Drop non-standard keywords; `names` marks a mapping of property names, whose keys are not keywords."""
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _strip(value, names=not names and key in _SCHEMA_MAPS)
        for key, value in node.items()
        if names or key not in _NON_STANDARD
    }


def _keywords(node: Any, *, names: bool = False) -> set[str]:
    """Every keyword used anywhere in the schema (property names excluded)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _keywords(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not names:
                found.add(key)
            found |= _keywords(value, names=not names and key in _SCHEMA_MAPS)
    return found
