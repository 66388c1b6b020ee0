"""Tools for testing against a misbehaving network: a hostile proxy and raw HTTP on sockets."""

from tests.tooling.hostile_proxy import HostileProxy, Hostility

__all__ = ["HostileProxy", "Hostility"]
