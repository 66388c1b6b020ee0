"""Tools for testing against a misbehaving network: a hostile proxy and raw HTTP on sockets."""

from sequence_contract.testing.hostile_proxy import HostileProxy, Hostility

__all__ = ["HostileProxy", "Hostility"]
