"""Shared building blocks of the scenario models: a strict base class and constrained number types.

Every model forbids unknown keys (a misspelt key is an error, not a silent default) and every
number must be finite, so a scenario can never smuggle NaN or infinity into the engine.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=40,
        description="Identifier: lower-case letters, digits and underscores, starting with a letter.",
    ),
]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Fraction = Probability
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Text = Annotated[str, Field(max_length=4000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors, numbers are finite, defaults validated."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        validate_default=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
    )
