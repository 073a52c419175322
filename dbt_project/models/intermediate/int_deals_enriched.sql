{#
    Deals, CRM-agnostic, with the amount in the account currency. Bitrix24's reports use
    OPPORTUNITY_ACCOUNT, which the API does not return (reference §7.3): we convert OPPORTUNITY with
    the portal's current rates (crm.currency.list), so a deal saved at an older rate can differ
    slightly. A deal without a currency is taken to be in the base currency.
    The select is macros/enriched_records.sql: fct_deals enriches the deals it rewrites with it.
#}
{{ enriched_deals(ref('stg_bitrix24__deals')) }}
