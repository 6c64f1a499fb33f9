"""Residents' requests, the domain every channel shares: appointments (hall visits, home
visits) and reported problems dispatched to a unit, with their rules, history and texts.

No blueprint and no pages here: the residents' pages (booking), the staff pages (schedule,
dispatch), the hotline console, the JSON API and Open311 are thin channels over these
functions. See ARCHITECTURE.md.
"""
