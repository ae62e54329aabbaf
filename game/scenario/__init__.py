"""Scenario files: pydantic models of a scenario, YAML loading with positioned errors, the JSON Schema.

Checks report what is wrong as data (`problems.Problem`: a path into the scenario and a message; a model's
own check raises `problems.FieldProblem` naming its field); `load` maps each path to the line and column
where the file writes it, so no position ever depends on the wording of a message.
"""

from .scenario import SCHEMA_VERSION, Scenario, numeric_leaves, resolve_path

__all__ = ["SCHEMA_VERSION", "Scenario", "numeric_leaves", "resolve_path"]
