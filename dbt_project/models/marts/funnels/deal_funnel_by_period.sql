{# Deal funnels per standard period, pipeline and mode — see macros/funnels/funnel_by_period.sql. #}
{{ funnel_by_period('deal') }}
