"""Shared pieces below every feature: the working-day calendar and time zone, paging,
signed links and display helpers. Modules here import nothing from a feature package."""
