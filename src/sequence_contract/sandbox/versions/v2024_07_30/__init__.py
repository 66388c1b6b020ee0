"""Version 2024-07-30 of the Customers API: archive by POST, contacts, organizations."""

from sequence_contract.sandbox.versions.model import ApiVersion
from sequence_contract.sandbox.versions.v2024_07_30.operations import OPERATIONS
from sequence_contract.sandbox.versions.v2024_07_30.render import render_customer

VERSION = ApiVersion(name="2024-07-30", operations=OPERATIONS, render_customer=render_customer)

__all__ = ["VERSION"]
