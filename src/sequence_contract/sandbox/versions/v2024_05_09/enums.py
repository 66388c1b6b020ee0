"""Value sets of version 2024-05-09 that differ from 2024-07-30's."""

from sequence_contract.sandbox.iso_codes import STATE_CODES

# The 2024-05-09 docs list 11 services (2024-07-30: 18).
INTEGRATION_SERVICES = frozenset(
    {
        "Amazon_Redshift",
        "Google_BigQuery",
        "Google_Sheets",
        "HubSpot",
        "NetSuite",
        "QuickBooks_Online",
        "Salesforce",
        "Slack",
        "Snowflake",
        "Stripe",
        "Xero",
    }
)
# The 2024-05-09 docs list the Canadian provinces without the three territories.
STATE_CODES_2024_05_09 = STATE_CODES - {"NT", "NU", "YT"}
# 2024-05-09 documents a required state for US addresses only (2024-07-30: US and Canada).
COUNTRIES_REQUIRING_STATE = frozenset({"US"})
