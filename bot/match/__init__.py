"""Matching items to watches: tokens, the query language, the matcher, watchlists."""
