{#
    Leads, CRM-agnostic, with the amount in the account currency (as int_deals_enriched). The select
    is macros/enriched_records.sql: fct_leads enriches the leads it rewrites with it.
#}
{{ enriched_leads(ref('stg_bitrix24__leads')) }}
