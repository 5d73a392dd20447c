"""Chat commands, platform-neutral: parsed by adapters, answered against the store."""
