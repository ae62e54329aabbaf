"""Subcommands of `salient`: one module each, each with `register(subparsers)`."""
