"""The API methods the sandbox portal implements; importing this package registers them all."""

from sandbox.server.methods import catalog, crm_legacy, crm_universal, dictionaries, people, telephony  # noqa: F401
from sandbox.server.methods.registry import METHODS, CallContext

__all__ = ["METHODS", "CallContext"]
