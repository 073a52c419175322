"""Bitrix24 source: every CRM entity the marts need, incremental, paced to the portal's limits."""

from pipelines.bitrix24.source import bitrix24_source

__all__ = ["bitrix24_source"]
