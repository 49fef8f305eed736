"""The scoring service: risk lists, explanations, the HTTP API, access control, audit; and the CLI."""
