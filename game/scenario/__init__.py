"""Scenario files: pydantic models of a scenario, YAML loading with positioned errors, the JSON Schema."""

from .scenario import SCHEMA_VERSION, Scenario, numeric_leaves, resolve_path

__all__ = ["SCHEMA_VERSION", "Scenario", "numeric_leaves", "resolve_path"]
