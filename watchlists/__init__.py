"""Bundled watchlists (`default`); installed as the package bot.watchlists."""
