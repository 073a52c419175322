{#
    How fct_activities derives an activity's kind, overdue state and dates: one place for its
    select and for the comparison of its incremental runs (macros/incremental_facts.sql), which
    derives them again over the built rows.
#}

{# A rule of business_rules.yml matches an activity of its type whose subject starts as it says. #}
{% macro activity_rule_matches(rules, activity) -%}
    {{ rules }}.activity_type = {{ activity }}.activity_type
    and (
        {{ rules }}.subject_starts_with is null
        or substr({{ activity }}.subject, 1, length({{ rules }}.subject_starts_with)) = {{ rules }}.subject_starts_with
    )
{%- endmacro %}


{# Not completed and its deadline had passed at the portal's last extraction. #}
{% macro overdue(activity, extracted_at) -%}
    not {{ activity }}.is_completed and coalesce({{ activity }}.deadline_at < {{ extracted_at }}, false)
{%- endmacro %}


{#
    The portal-local dates: created; held (start, else created); due (deadline, else start, else
    created). {column: expression}.
#}
{% macro activity_dates(activity, utc_offset_minutes) -%}
    {{ return({
        'created_date': portal_local_date(activity ~ '.created_at', utc_offset_minutes),
        'held_date': portal_local_date('coalesce(' ~ activity ~ '.start_at, ' ~ activity ~ '.created_at)', utc_offset_minutes),
        'due_date': portal_local_date('coalesce(' ~ activity ~ '.deadline_at, ' ~ activity ~ '.start_at, '
                                      ~ activity ~ '.created_at)', utc_offset_minutes),
    }) }}
{%- endmacro %}
