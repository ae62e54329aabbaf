"""Understanding a played game: time series, luck against judgement, teaching moments, after-action reports.

Headless: nothing here imports Textual; the TUI's AAR screen and `salient aar` both render these models.
"""
