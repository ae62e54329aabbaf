"""Scenario files: pydantic models of a scenario, YAML loading with positioned errors, the JSON Schema."""

from .scenario import SCHEMA_VERSION, Scenario, resolve_path

__all__ = ["SCHEMA_VERSION", "Scenario", "resolve_path"]
