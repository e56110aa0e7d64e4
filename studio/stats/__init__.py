"""Ad results: reading the platforms' reports, and what they say about each variant.

Pure computation: files in, records and statistics out. The workspace side (matching
rows to assets, storing days, decisions) is :mod:`studio.services.results`.
"""
