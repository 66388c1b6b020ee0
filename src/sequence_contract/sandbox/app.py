"""Assembling the sandbox's ASGI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Mount

from sequence_contract.sandbox.config import SandboxConfig
from sequence_contract.sandbox.faults import resolve_faults
from sequence_contract.sandbox.pipeline import Pipeline
from sequence_contract.sandbox.ratelimit import SlidingWindowLimiter
from sequence_contract.sandbox.seed import seed
from sequence_contract.sandbox.store import Store
from sequence_contract.sandbox.timestamps import utc_now


def create_app(config: SandboxConfig) -> Starlette:
    """The sandbox as a Starlette app. Its store opens now (so a bad `db_path` fails here)
    and closes at lifespan shutdown, deleting a temporary database; `app.state.store`."""
    faults = resolve_faults(config.faults)
    store = Store.open(config.db_path)
    try:
        if config.seed:
            seed(store)
    except BaseException:
        store.close()
        raise
    pipeline = Pipeline(
        config, store, faults, SlidingWindowLimiter(config.rate_limit_per_minute), utc_now
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    # One mount at the root: the pipeline does its own routing, so every method and path
    # (including unknown ones) gets the API's JSON envelope rather than Starlette's defaults.
    app = Starlette(routes=[Mount("", app=pipeline)], lifespan=lifespan)
    # A target the mount cannot match (absolute-form `GET http://host/api/...`) too.
    app.router.default = pipeline
    app.state.store = store
    return app
