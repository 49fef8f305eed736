"""Security headers on every response: nothing the service answers is cached (lists, placements, the
model report all carry personal data or what is derived from it), sniffed, framed or allowed to load
anything from elsewhere; Strict-Transport-Security when the service runs behind TLS.

A response that sets a header itself keeps it (the pages have their own policy, service.pages.render).
The OpenAPI docs page loads Swagger UI's scripts and carries no personal data: it gets no policy here.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JSON needs nothing; the model report (HTML from training) has inline style and data: images.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'none'")
HSTS = "max-age=31536000; includeSubDomains"  # a year
WITHOUT_POLICY = ("/api/v1/docs", "/docs/oauth2-redirect")


def security_headers(path: str, https: bool) -> dict[str, str]:
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
    if path not in WITHOUT_POLICY:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """ASGI middleware; `always_https`: the deployment is behind TLS (LKS_SECURE_COOKIES)."""

    def __init__(self, app: ASGIApp, always_https: bool = False):
        self.app, self.always_https = app, always_https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        wanted = security_headers(scope["path"], self.always_https or scope.get("scheme") == "https")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in wanted.items()
                         if k.lower().encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
