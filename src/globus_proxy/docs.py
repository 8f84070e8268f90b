"""The docs page under /v3/globus-proxy/docs, with Swagger UI served from this service.

FastAPI's default page loads Swagger UI from a CDN, which is blank on a machine without the
internet; Swagger UI 5 (which renders OpenAPI 3.1) ships in the fastapi-offline package.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from globus_proxy.routes import PREFIX

ASSETS = f"{PREFIX}/docs/assets"
SWAGGER_UI = files("fastapi_offline") / "static"


def install(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=str(SWAGGER_UI)), name="swagger-ui")

    async def docs_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{PREFIX}/openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )

    app.add_api_route(f"{PREFIX}/docs", docs_page, methods=["GET"], include_in_schema=False)
