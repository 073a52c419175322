"""Method name -> handler. Handlers take the call context and decoded parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sandbox.server.envelope import MethodResult
from sandbox.server.methods.listing import CostModel
from sandbox.store.portal import PortalStore


@dataclass
class CallContext:
    store: PortalStore
    cost_model: CostModel


Handler = Callable[[CallContext, dict[str, Any]], MethodResult]
METHODS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Registers a handler under lower-case names (the server lower-cases method names)."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = handler
        return handler

    return register
