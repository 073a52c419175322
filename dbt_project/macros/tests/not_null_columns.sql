{#
    Model-level test: none of `column_names` holds a NULL. One scan of the model checks all of
    them, where dbt's column-level not_null is one test node, one query and (on a view) one
    evaluation of the view per column — a build's 400 not-null checks cost more in dbt's
    per-node work than in the database. Returns one row per column that has NULLs, with the count.

        data_tests:
          - not_null_columns:
              arguments:
                column_names: [deal_key, portal_id, deal_id]
#}
{% test not_null_columns(model, column_names) %}

with

null_counts as (

    select
        {%- for column in column_names %}
        count(*) - count({{ column }}) as {{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

{% for column in column_names -%}
select '{{ column }}' as column_name, {{ adapter.quote(column) }} as null_count
from null_counts
where {{ adapter.quote(column) }} > 0
{{ 'union all' if not loop.last }}
{% endfor %}

{% endtest %}
