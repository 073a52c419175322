{#
    Every crm.status.list dictionary in one model: lead stages (STATUS), deal stages
    (DEAL_STAGE = pipeline 0, DEAL_STAGE_<n> = pipeline n), smart-invoice stages, and the plain
    dictionaries (SOURCE, DEAL_TYPE, INDUSTRY...). Stage semantics: SEMANTICS NULL = process,
    S = success, F = failure (reference §5.6); EXTRA.SEMANTICS may say more (e.g. 'apology').
#}
with

source as (

    {{ bitrix24_source('statuses') }}

),

classified as (

    select
        *,
        case
            when entity_id = 'STATUS' then 'lead'
            when entity_id like 'DEAL_STAGE%' then 'deal'
            when entity_id like 'SMART_INVOICE_STAGE%' then 'invoice'
            when entity_id = 'QUOTE_STATUS' then 'quote'
            when entity_id like 'DYNAMIC%STAGE%' then 'smart_process'
        end as stage_entity_type
    from source

),

renamed as (

    select

        ---------- ids
        portal_id || ':' || entity_id || ':' || status_id as status_key,
        portal_id,
        id as status_row_id,
        entity_id as dictionary_id,
        status_id,
        case
            when entity_id like 'DEAL_STAGE%' then coalesce(category_id, 0)
            else category_id
        end as pipeline_id,

        ---------- strings
        name as status_name,
        {{ bitrix24_nullif_blank('name_init') }} as default_status_name,
        stage_entity_type,
        semantics as stage_semantic_code,
        case
            when stage_entity_type is not null
                then {{ bitrix24_semantics('semantics', null_means_process=true) }}
        end as stage_semantics,
        extra ->> 'SEMANTICS' as extended_semantics,
        color,

        ---------- numerics
        sort as sort_order,

        ---------- booleans
        stage_entity_type is not null as is_stage,
        system as is_system,

        ---------- load metadata
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from classified

)

select * from renamed
