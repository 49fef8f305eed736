"""The weekly export: its contract (schemas, roles, reason codes), validation, and the store."""

CONTRACT_VERSION = "v1"
