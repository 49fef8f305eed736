"""The pages: log in with a token, the week's risk list, one placement, recording an action, the model card.

Routes only translate HTTP, like the API's: they call the service layer (which checks the role, scopes
the query and writes the audit log) and render a template. Forms post and redirect (no scripts)."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Form, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from lks.service.auth import Identity
from lks.service.champion.types import DOCUMENTS
from lks.service.deps import (
    LOGIN_REFUSED,
    SESSION_COOKIE,
    NowDep,
    ServicesDep,
    authentication_failed,
    retry_after,
)
from lks.service.errors import log_failure
from lks.service.explanations import INTERVENTIONS
from lks.service.pages import render
from lks.service.pages.chart import curve_chart, factor_chart, precision_chart
from lks.service.pages.session import (
    LOGIN_COOKIE,
    CsrfRefused,
    LoginRequired,
    PageIdentity,
    check_csrf,
    clear_cookie,
    csrf_token,
    new_login_nonce,
    page_identity,
    set_cookie,
)
from lks.service.pages.timeline import timeline
from lks.service.persistence import queries as placements
from lks.service.persistence.follow_ups import InvalidFollowUp
from lks.service.service_layer import downloads, monitoring_runs
from lks.service.service_layer import services as views

router = APIRouter(include_in_schema=False)
LIST, DETAIL = "GET /lijst", "GET /plaatsing/{placement_id}"  # endpoint names in the audit log
EXPORT = "GET /lijst/download"
ACTION, LOGIN, LOGOUT = "POST /plaatsing/{placement_id}/acties", "POST /login", "POST /logout"
FOLLOW_UP = "POST /lijst/opvolging"
PAGE_SIZE = 25
PlacementId = Annotated[str, Path(min_length=1, max_length=64)]
FormText = Annotated[str, Form(max_length=2000)]
NOTICES = {  # after a form: a fixed message by key, so nothing typed is reflected into the page
    "opgeslagen": "De actie is opgeslagen.",
    "reden": "Niet opgeslagen: vul in waarom u geen actie onderneemt.",
    "ongeldig": "Niet opgeslagen: kies een interventie uit de lijst.",
}
LOGIN_NOTICES = {"verlopen": "Uw sessie is verlopen. Log opnieuw in."}
FOLLOW_UP_NOTICES = {  # after the follow-up form (list or placement page); keys as `InvalidFollowUp.problem`
    "toegevoegd": "De plaatsing is toegevoegd aan de opvolging van deze week.",
    "afgevoerd": "De plaatsing is van de opvolging van deze week gehaald. De reden is vastgelegd.",
    "reden": "Niet opgeslagen: vul een reden in om een plaatsing van de opvolging te halen.",
    "al_erin": "Niet opgeslagen: deze plaatsing staat al in de opvolging van deze week.",
    "niet_erin": "Niet opgeslagen: deze plaatsing staat niet in de opvolging van deze week.",
    "beeindigd": "Niet opgeslagen: deze plaatsing is beëindigd; er valt geen ondersteuning meer te bieden.",
    "onbekend": "Niet opgeslagen: deze plaatsing is niet bekend, of u heeft er geen toegang toe.",
    "lang": "Niet opgeslagen: de reden is te lang (hoogstens 1000 tekens).",
    "soort": "Niet opgeslagen: kies toevoegen of van de opvolging halen.",
}
FOLLOW_UP_KINDS = {"toevoegen": "added", "afvoeren": "dismissed"}


def _context(request: Request, identity: Identity) -> dict:
    return {"identity": identity, "csrf": csrf_token(request.cookies[SESSION_COOKIE])}


def _notice(request: Request, identity: Identity | None, status: int, title: str, paragraphs: list[str],
            links: tuple[tuple[str, str], ...] = ()) -> HTMLResponse:
    context = _context(request, identity) if identity else {"identity": None, "csrf": ""}
    return render.page("melding.html", status, **context, title=title, paragraphs=paragraphs, links=links)


def _not_for_role(request: Request, identity: Identity):
    return _notice(request, identity, 403, "Deze pagina's zijn voor coördinatoren en jobcoaches", [
        f"U bent ingelogd als {identity.name} ({render.ROLES.get(identity.role, identity.role)}). De risicolijst "
        "en de plaatsingen zijn alleen voor de coördinator Uitval en de jobcoaches: met uw rol ziet u geen "
        "individuele plaatsingen.",
        "Informatie over het model in gebruik (versie, trainingsdatum en de resultaten van de backtest) vindt u hier:",
    ], (("/modelkaart", "Modelkaart"), ("/api/v1/model", "Modelinformatie (JSON)"),
        ("/api/v1/model/report", "Rapport van het model")))


def _not_found(request: Request, identity: Identity):
    return _notice(request, identity, 404, "Plaatsing niet gevonden", [
        "Deze plaatsing staat niet op de risicolijst van deze week, of u heeft er geen toegang toe.",
    ], (("/lijst", "Terug naar de risicolijst"),))


def _login(request: Request, error: str | None = None, status: int = 200, notice: str | None = None):
    nonce = new_login_nonce()
    response = render.page("login.html", status, identity=None, csrf=csrf_token(nonce), error=error, notice=notice)
    set_cookie(response, request, LOGIN_COOKIE, nonce)
    return response


@router.get("/")
def login_form(request: Request, services: ServicesDep, now: NowDep,
               notice: Annotated[str, Query(alias="melding", max_length=20)] = ""):
    if request.cookies.get(SESSION_COOKIE):
        page_identity(request, services, now)  # a dead session is refused: back here without its cookie
        return RedirectResponse("/lijst", status_code=303)
    return _login(request, notice=LOGIN_NOTICES.get(notice))


@router.post("/login")
def login(request: Request, services: ServicesDep, now: NowDep, token: FormText = "", csrf: FormText = ""):
    check_csrf(request.cookies.get(LOGIN_COOKIE), csrf)
    wait = retry_after(request, services)
    if wait is not None:  # too many failed logins from this address: not even a valid code is tried
        minutes = max(1, round(wait / 60))
        response = _login(request, f"Te veel mislukte pogingen. Probeer het over {minutes} minuten opnieuw.", 429)
        response.headers["Retry-After"] = str(wait)
        return response
    session_id = services.sessions.login(token.strip(), now, LOGIN)
    if session_id is None:
        authentication_failed(request, services, LOGIN_REFUSED)
        return _login(request, "Deze toegangscode is niet geldig of is ingetrokken.", 401)
    if request.cookies.get(SESSION_COOKIE):  # a login form from another tab: the browser's earlier session ends
        services.sessions.logout(request.cookies[SESSION_COOKIE], now, LOGIN)
    response = RedirectResponse("/lijst", status_code=303)
    set_cookie(response, request, SESSION_COOKIE, session_id)  # the session's id: the token stays out of the browser
    clear_cookie(response, LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, services: ServicesDep, now: NowDep, csrf: FormText = ""):
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        check_csrf(session, csrf)
        services.sessions.logout(session, now, LOGOUT)  # ended on the server: a copy of the cookie opens nothing
    response = RedirectResponse("/", status_code=303)
    clear_cookie(response, SESSION_COOKIE)
    return response


Team = Annotated[str, Query(max_length=100)]
District = Annotated[str, Query(alias="gebied", max_length=100)]
Week = Annotated[date | None, Query(alias="week")]


def _list_query(team: str, district: str, as_of: date | None, **more) -> str:
    query = {"week": as_of.isoformat() if as_of else "", "team": team, "gebied": district, **more}
    return urlencode({k: v for k, v in query.items() if v})


@router.get("/lijst")
def risk_list(request: Request, services: ServicesDep, identity: PageIdentity, team: Team = "",
              district: District = "", as_of: Week = None,
              page: Annotated[int, Query(alias="pagina", ge=1, le=100_000)] = 1,
              notice: Annotated[str, Query(alias="melding", max_length=20)] = ""):
    try:
        found = views.risk_list(services, identity, LIST, as_of, team or None, district or None, page, PAGE_SIZE)
        filters = views.list_filters(services, identity, found["as_of"])
        weeks = views.weeks(services, identity)
    except views.Forbidden:
        return _not_for_role(request, identity)
    except placements.NotFound:
        if as_of is not None:
            return _notice(request, identity, 404, "Geen risicolijst voor deze week",
                           ["Voor deze week is geen risicolijst berekend."], (("/lijst", "Naar de nieuwste lijst"),))
        return _notice(request, identity, 404, "Nog geen risicolijst",
                       ["Er is nog geen risicolijst berekend. Probeer het later opnieuw."])
    pages = max(1, math.ceil(found["total"] / PAGE_SIZE))

    def link(number: int) -> str:
        query = _list_query(team, district, as_of, pagina=number if number > 1 else "")
        return "/lijst" + ("?" + query if query else "")

    downloads_query = _list_query(team, district, as_of)
    return render.page("lijst.html", **_context(request, identity), risks=found, filters=filters, team=team,
                       district=district, weeks=weeks, chosen_week=found["as_of"], newest=as_of is None,
                       offset=(page - 1) * PAGE_SIZE, downloads_query=downloads_query, pages=pages,
                       notice=FOLLOW_UP_NOTICES.get(notice), saved=notice in ("toegevoegd", "afgevoerd"),
                       previous=link(page - 1) if page > 1 else None,
                       next=link(page + 1) if page < pages else None)


@router.get("/lijst/download")
def download_list(request: Request, services: ServicesDep, identity: PageIdentity, team: Team = "",
                  district: District = "", as_of: Week = None,
                  kind: Annotated[Literal["csv", "xlsx"], Query(alias="formaat")] = "xlsx"):
    """The list with the page's filters as an Excel or CSV file; the service layer audits it as exported."""
    try:
        found = downloads.export_list(services, identity, EXPORT, as_of, team or None, district or None)
    except views.Forbidden:
        return _not_for_role(request, identity)
    except placements.NotFound:
        return _notice(request, identity, 404, "Geen risicolijst voor deze week",
                       ["Voor deze week is geen risicolijst berekend."], (("/lijst", "Naar de nieuwste lijst"),))
    content, media_type, name = downloads.build(found, kind, team or None, district or None)
    return Response(content, media_type=media_type, headers={
        **render.HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/plaatsing/{placement_id}")
def placement(request: Request, placement_id: PlacementId, services: ServicesDep, identity: PageIdentity,
              notice: Annotated[str, Query(alias="melding", max_length=20)] = ""):
    try:
        detail = views.placement_detail(services, identity, DETAIL, placement_id)
    except views.Forbidden:
        return _not_for_role(request, identity)
    except placements.NotFound:
        return _not_found(request, identity)
    chart = curve_chart(detail["curve"]["points"]) if detail["curve"] else None
    bars = factor_chart(detail["explanation"]) if detail["explanation"] else None
    champion = services.champion.current
    special = views.special_data(champion) if champion else None
    return render.page("plaatsing.html", **_context(request, identity), p=detail, chart=chart,
                       factor_bars=bars,
                       events=timeline(detail["events"], detail["actions"]),
                       uses_health=bool(special and special["columns"]), special=special,
                       interventions=INTERVENTIONS, notice=NOTICES.get(notice) or FOLLOW_UP_NOTICES.get(notice),
                       saved=notice in ("opgeslagen", "toegevoegd", "afgevoerd"))


@router.post("/plaatsing/{placement_id}/acties")
def record_action(request: Request, placement_id: PlacementId, services: ServicesDep, identity: PageIdentity,
                  csrf: FormText = "", kind: FormText = "", intervention: FormText = "", reason: FormText = "",
                  note: FormText = ""):
    check_csrf(request.cookies.get(SESSION_COOKIE), csrf)
    here = f"/plaatsing/{quote(placement_id, safe='')}"
    try:
        # the service layer checks what may be recorded, for the API and the pages alike
        views.record_action(services, identity, ACTION, placement_id, kind, intervention or None,
                            reason.strip() or None, note.strip() or None)
    except views.Forbidden:
        return _not_for_role(request, identity)
    except placements.NotFound:
        return _not_found(request, identity)
    except placements.InvalidAction:
        problem = "reden" if kind == "no_action" else "ongeldig"
        return RedirectResponse(f"{here}?melding={problem}#actie", status_code=303)
    return RedirectResponse(f"{here}?melding=opgeslagen#acties", status_code=303)


@router.post("/lijst/opvolging")
def follow_up(request: Request, services: ServicesDep, identity: PageIdentity, csrf: FormText = "",
              kind: Annotated[str, Form(alias="soort", max_length=20)] = "",
              placement_id: Annotated[str, Form(alias="plaatsing", max_length=64)] = "",
              reason: Annotated[str, Form(alias="reden", max_length=2000)] = "",
              back: Annotated[str, Form(alias="terug", max_length=20)] = "lijst"):
    """Add a placement to this week's follow-up or dismiss it (coordinators); back to the list or the placement."""
    check_csrf(request.cookies.get(SESSION_COOKIE), csrf)
    placement_id = placement_id.strip()
    here = f"/plaatsing/{quote(placement_id, safe='')}" if back == "plaatsing" and placement_id else "/lijst"
    anchor = "#opvolging"
    try:
        done = views.record_follow_up(services, identity, FOLLOW_UP, placement_id,
                                      FOLLOW_UP_KINDS.get(kind, kind), reason.strip() or None)
    except views.Forbidden:
        return _notice(request, identity, 403, "Alleen de coördinator past de opvolging aan", [
            "De opvolging van de week (wie deze week aandacht krijgt) wordt bijgehouden door de coördinator "
            "Uitval. U kunt bij een plaatsing wel vastleggen wat u besloten heeft.",
        ], (("/lijst", "Terug naar de risicolijst"),))
    except placements.NotFound:
        return RedirectResponse(f"/lijst?melding=onbekend{anchor}", status_code=303)
    except InvalidFollowUp as refused:
        return RedirectResponse(f"{here}?melding={refused.problem}{anchor}", status_code=303)
    return RedirectResponse(f"{here}?melding={'toegevoegd' if done['kind'] == 'added' else 'afgevoerd'}{anchor}",
                            status_code=303)


@router.get("/modelkaart")
def model_card(request: Request, services: ServicesDep, identity: PageIdentity):
    champion = services.champion.current  # read once, like the API's ChampionDep
    if champion is None:
        why = _refusal(services.champion.refused) or ["Er is nog geen model geladen. Probeer het later opnieuw."]
        return _notice(request, identity, 503, "Nog geen model in gebruik", why)
    model = views.model_info(champion)
    return render.page("modelkaart.html", **_context(request, identity), model=model,
                       precision=precision_chart(model["precision_by_week"], model["model"]),
                       monitoring=monitoring_runs.page_runs(services.engine))


@router.get("/modelkaart/documenten/{name}")
def model_document(request: Request, services: ServicesDep, identity: PageIdentity,
                   name: Annotated[str, Path(max_length=40)]):
    """One of the champion's documents (model card, technical file, register entry) as its run holds it."""
    champion = services.champion.current
    path = champion.documents.get(name) if champion is not None and name in DOCUMENTS else None
    if path is None or not path.exists():
        return _notice(request, identity, 404, "Document niet gevonden", [
            "Dit document hoort niet bij het model in gebruik, of het model heeft het niet.",
        ], (("/modelkaart", "Terug naar de modelkaart"),))
    media = "application/json" if name.endswith(".json") else "text/markdown"
    return Response(path.read_text(encoding="utf-8"), media_type=f"{media}; charset=utf-8", headers=render.HEADERS)


def _refusal(refused) -> list[str]:
    """Why the registered model is not used here, for the privacy officer (`service.dpia`)."""
    if refused is None:
        return []
    if refused.trained_under is None:
        why = "het gebruikt bijzondere persoonsgegevens zonder DPIA-referentie"
    else:
        here = f"noemt DPIA-referentie {refused.deployment}" if refused.deployment else "noemt geen DPIA-referentie"
        why = f"het is getraind onder DPIA-referentie {refused.trained_under}, maar deze installatie {here}"
    return [f"Model versie {refused.version} wordt niet gebruikt: {why}. Er worden dus ook geen bijzondere "
            "persoonsgegevens gebruikt."]


def install(app: FastAPI) -> None:
    """Add the pages to an app: the routes, a redirect to the login page, the refusal of a forged form,
    and a Dutch page for an invalid request to a page (the API's handler, installed first, keeps the rest)."""
    app.include_router(router)
    api_invalid_request = app.exception_handlers[RequestValidationError]
    page_paths = {route.path for route in router.routes if isinstance(route, Route)}

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if getattr(request.scope.get("route"), "path", None) not in page_paths:
            return await api_invalid_request(request, exc)  # type: ignore[misc]  # errors.install's is async
        return _notice(request, None, 400, "Ongeldige aanvraag", [
            "Deze pagina bestaat niet in deze vorm. Ga terug en probeer het opnieuw.",
        ], (("/", "Naar het begin"),))

    api_unavailable = app.exception_handlers[sa.exc.OperationalError]

    @app.exception_handler(sa.exc.OperationalError)
    async def unavailable(request: Request, exc: sa.exc.OperationalError):
        if getattr(request.scope.get("route"), "path", None) not in page_paths:
            return await api_unavailable(request, exc)  # type: ignore[misc]  # errors.install's is async
        log_failure(request, exc, "database unavailable")
        response = _notice(request, None, 503, "Tijdelijk niet beschikbaar", [
            "De gegevens zijn op dit moment niet bereikbaar. Er is niets opgeslagen of gewijzigd.",
            "Probeer het over een paar minuten opnieuw.",
        ], (("/lijst", "Opnieuw proberen"),))
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(_request: Request, exc: LoginRequired):
        response = RedirectResponse("/?melding=verlopen" if exc.expired else "/", status_code=303)
        clear_cookie(response, SESSION_COOKIE)  # a dead session's cookie goes too
        return response

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _exc: CsrfRefused):
        return _notice(request, None, 403, "Formulier niet geaccepteerd", [
            "Dit formulier kwam niet van deze pagina of is verlopen. Er is niets opgeslagen.",
            "Open de pagina opnieuw en probeer het nog eens.",
        ], (("/", "Naar het begin"),))
