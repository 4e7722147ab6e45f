"""The studio's pages. Each renders what the API would answer; the scripts in ``static/`` do the rest
through the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from cerdas.episode import load_episode
from cerdas.errors import CerdasError
from cerdas.studio.routes_api import find_job, require_episode
from cerdas.studio.templating import render, studio_of
from cerdas.studio.views import episode_view, episodes_view

router = APIRouter(include_in_schema=False)


@router.get("/")
def episodes_page(request: Request) -> Response:
    studio = studio_of(request)
    broken: dict[str, CerdasError] = {}
    episodes = episodes_view(studio.ws, studio.settings(), studio.store.all(), broken)
    return render(request, "episodes.html", episodes=episodes, broken=[str(e) for e in broken.values()])


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/episodes/new")
def new_page(request: Request) -> Response:
    settings = studio_of(request).settings()
    return render(request, "episode_form.html", episode=None, youtube_ready=settings.youtube.enabled)


def _episode(request: Request, slug: str) -> dict[str, Any]:
    studio = studio_of(request)
    require_episode(studio, slug)
    jobs = [j for j in studio.store.all() if j.slug == slug]
    return episode_view(studio.ws, studio.settings(), load_episode(studio.ws, slug), jobs[0] if jobs else None)


@router.get("/episodes/{slug}/edit")
def edit_page(request: Request, slug: str) -> Response:
    settings = studio_of(request).settings()
    return render(request, "episode_form.html", episode=_episode(request, slug), youtube_ready=settings.youtube.enabled)


@router.get("/episodes/{slug}/transcript")
def editor_page(request: Request, slug: str) -> Response:
    return render(request, "editor.html", episode=_episode(request, slug))


@router.get("/episodes/{slug}/chapters")
def chapters_page(request: Request, slug: str) -> Response:
    return render(request, "chapters.html", episode=_episode(request, slug))


@router.get("/jobs")
def jobs_page(request: Request) -> Response:
    return render(request, "jobs.html", jobs=[j.public() for j in studio_of(request).store.all()])


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str) -> Response:
    return render(request, "job.html", job=find_job(studio_of(request), job_id).public())


@router.get("/api/docs")
def api_docs(request: Request) -> Response:
    """The API reference, made from the OpenAPI schema by the studio itself (no CDN, works offline)."""
    schema = request.app.openapi()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "body": ", ".join(body),
                    "responses": ", ".join(sorted(op.get("responses", {}))),
                }
            )
    models = {name: m.get("properties", {}) for name, m in schema.get("components", {}).get("schemas", {}).items()}
    return render(request, "api.html", info=schema.get("info", {}), operations=operations, models=models)
