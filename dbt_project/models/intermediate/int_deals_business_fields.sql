{#
    The business fields of each deal — payment form, sales channel, area in m² — read from the
    custom fields that business_rules.yml names for them (inputs.business_deal_fields, resolved at
    compile time by business_deal_field), whatever their labels. NULL where no field is mapped.
#}
-- depends_on: {{ ref('stg_inputs__business_deal_fields') }}
with

deals as (

    {{ bitrix24_source('deals') }}

),

final as (

    select
        deals.portal_id || ':' || cast(deals.id as {{ dbt.type_string() }}) as deal_key,
        deals.portal_id,
        deals.id as deal_id,
        {{ business_deal_field('payment_form', source('bitrix24', 'deals')) }} as payment_form,
        {{ business_deal_field('sales_channel', source('bitrix24', 'deals')) }} as sales_channel,
        {{ business_deal_field('area_m2', source('bitrix24', 'deals')) }} as area_m2
    from deals

)

select * from final
