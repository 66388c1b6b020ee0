"""Value sets of version 2024-07-30 (some, like integration services, grow between versions)."""

TAX_STATUSES = frozenset({"TAXED", "TAX_EXEMPT", "REVERSE_CHARGED"})
CUSTOMER_STATUSES = frozenset({"DRAFT", "ACTIVE"})
BILLING_PREFERENCES = frozenset({"PRIMARY", "STANDARD", "NONE"})
INTEGRATION_SERVICES = frozenset(
    {
        "Amazon_Redshift",
        "GoCardless",
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
        "Avalara",
        "Anrok",
        "Attio",
        "Numeral",
        "Rillet",
        "Sphere",
    }
)
PUSH_TARGETS = frozenset({"Xero"})
BILLING_STATUSES = frozenset({"ACTIVE", "INACTIVE"})
SORT_ORDERS = frozenset({"ASC", "DESC"})
