"""The HTTP API (FastAPI, /api/v1). `service.api.main.create_app(settings)` is the composition root."""
