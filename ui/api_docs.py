"""/docs without a network: Swagger UI's files come from the `swagger-ui-py` package (Apache-2.0,
Swagger UI 5) and are served by this app under /docs/assets/, instead of FastAPI's CDN links."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


def swagger_dir() -> Path | None:
    spec = importlib.util.find_spec("swagger_ui")  # located, not imported (its handlers need other web frameworks)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def install_docs(app: FastAPI, path: str = "/docs") -> None:
    folder = swagger_dir()

    @app.get(path, include_in_schema=False)
    async def docs() -> HTMLResponse:
        if folder is None:
            return HTMLResponse("<!doctype html><title>API docs</title><p>Swagger UI is not installed: "
                                "pip install swagger-ui-py. The schema is at <a href='/openapi.json'>/openapi.json</a>.",
                                status_code=503)
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} – API",
                                   swagger_js_url=f"{path}/assets/swagger-ui-bundle.js",
                                   swagger_css_url=f"{path}/assets/swagger-ui.css",
                                   swagger_favicon_url=f"{path}/assets/favicon-32x32.png")

    @app.get(path + "/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        if folder is None or name not in ASSETS:
            raise HTTPException(404)
        return FileResponse(folder / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
