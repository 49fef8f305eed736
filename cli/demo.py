"""The end of `make demo`: a demo coordinator and jobcoach for the newest risk list, their tokens,
the pages to open in a browser and the first three API calls to try, and the service running on localhost."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from lks.cli.db import database_url
from lks.service.persistence.tables import make_service_engine, risk_lists, risk_scores
from lks.service.persistence.tokens import TokenStore
from lks.service.settings import get_settings

PORT = 8000


def demo_users(engine: sa.Engine) -> tuple[dict, dict, str]:
    """Create a coordinator for the team of the highest-ranked placement and the jobcoach of a
    placement on the list; returns both (with their new tokens) and a placement the jobcoach may see."""
    with engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(risk_lists.c.list_id))).scalar()
        if newest is None:
            raise SystemExit("no risk list yet: run `lks score` first")
        rows = conn.execute(
            sa.select(risk_scores.c.placement_id, risk_scores.c.team, risk_scores.c.jobcoach_id)
            .where(risk_scores.c.list_id == newest).order_by(risk_scores.c.rank)
        ).all()
    top = rows[0]
    coached = next(r for r in rows if r.jobcoach_id)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"  # tokens are shown once: each demo run makes new users
    tokens = TokenStore(engine)
    coordinator = {"name": f"demo-coordinator-{stamp}", "team": top.team}
    coordinator["token"] = tokens.add(coordinator["name"], "coordinator", [top.team])
    jobcoach = {"name": f"demo-jobcoach-{stamp}", "jobcoach_id": coached.jobcoach_id}
    jobcoach["token"] = tokens.add(jobcoach["name"], "jobcoach", [], coached.jobcoach_id)
    return coordinator, jobcoach, coached.placement_id


def main() -> None:
    import uvicorn

    from lks.service.app import create_app

    settings = get_settings()
    coordinator, jobcoach, placement = demo_users(make_service_engine(database_url()))
    site = f"http://127.0.0.1:{PORT}"
    base = f"{site}/api/v1"
    print(f"""
Demo users (tokens are shown once):
  coordinator {coordinator['name']} (team {coordinator['team']}): {coordinator['token']}
  jobcoach    {jobcoach['name']} (jobcoach {jobcoach['jobcoach_id']}): {jobcoach['token']}

Open in a browser: {site}/
  log in with a token: the coordinator sees the week's list of their team, the jobcoach only their own
  placements (e.g. {site}/plaatsing/{placement})

Or try the API, in another terminal:
  curl -s -H "Authorization: Bearer {coordinator['token']}" "{base}/risk-lists/current?page_size=5"
  curl -s -H "Authorization: Bearer {jobcoach['token']}" {base}/placements/{placement}
  curl -s -H "Authorization: Bearer {coordinator['token']}" {base}/model
API documentation: {base}/docs   Stop the service with Ctrl-C.
""", flush=True)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=PORT, log_level="warning")


if __name__ == "__main__":
    main()
