"""Persistence: the service tables, their queries, the audit log, tokens and page sessions."""
