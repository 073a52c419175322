"""The API methods the sandbox portal implements; importing this package registers them all."""

from sandbox.server.methods import (  # noqa: F401
    catalog, crm_legacy, crm_universal, dictionaries, people, product_rows, telephony,
)
from sandbox.server.methods.registry import METHODS, CallContext

__all__ = ["METHODS", "CallContext"]
