"""Version 2024-05-09 of the Customers API: archive by PUT (or DELETE), flat contact fields.

The store is version-neutral (contacts, as 2024-07-30 shows them); this version's flat fields
are a view of it: `email` and `contactName` are the primary contact, `billingEmails` the
standard (billing) contacts. See `body.py` and `render.py`.
"""

from sequence_contract.sandbox.versions.model import ApiVersion
from sequence_contract.sandbox.versions.v2024_05_09.operations import OPERATIONS
from sequence_contract.sandbox.versions.v2024_05_09.render import render_customer

VERSION = ApiVersion(name="2024-05-09", operations=OPERATIONS, render_customer=render_customer)

__all__ = ["VERSION"]
