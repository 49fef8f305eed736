"""Server-rendered Dutch pages for the coördinator Uitval and the jobcoach: log in with a token, the
week's risk list, one placement. They call the same service layer (`lks.service.service_layer.services`)
as the API, so the access rules and the audit log are the API's; only the endpoint names in the audit
log differ."""
