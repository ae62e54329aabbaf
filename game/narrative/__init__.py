"""Words: situation reports, the advisors' dispatches, the end-of-game text and the command line.

Everything here is headless (no Textual import, a test proves it): the TUI shows these texts, and
the same functions can write a plain transcript for screen-reader users or the headless CLI.
"""
