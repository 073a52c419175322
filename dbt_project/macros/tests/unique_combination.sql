{#
    Model-level test: no two rows share the same values in combination_of_columns (a list of
    column names), like dbt_utils.unique_combination_of_columns, which we cannot install. NULLs
    compare equal here (GROUP BY semantics), so a NULL in a key column counts as a value; test the
    columns not_null as well when they must be filled.

        data_tests:
          - unique_combination:
              arguments:
                combination_of_columns: ['entity_type', 'owner_key']
#}
{% test unique_combination(model, combination_of_columns) %}

{%- set columns_csv = combination_of_columns | join(', ') %}

with

duplicates as (

    select
        {{ columns_csv }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1

)

select * from duplicates

{% endtest %}
