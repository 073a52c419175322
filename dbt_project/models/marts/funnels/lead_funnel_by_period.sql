{# Lead funnels per standard period and mode — see macros/funnels/funnel_by_period.sql. #}
{{ funnel_by_period('lead') }}
