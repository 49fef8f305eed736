"""The service layer: what the API and the pages ask for, as functions of the wired services and an identity."""
