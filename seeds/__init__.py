"""Sample feeds for the offline demo and the tests; installed as the package bot.seeds."""
