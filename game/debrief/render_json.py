"""The after-action review as JSON: everything in the model, for other tools and the class database."""

from __future__ import annotations

from game.narrative.safe_text import for_json

from .aar import AfterActionReview


def render_json(aar: AfterActionReview) -> str:
    """Indented JSON of the whole review (format `salient-aar`, version in the document)."""
    return for_json(aar.model_dump_json(indent=1)) + "\n"
