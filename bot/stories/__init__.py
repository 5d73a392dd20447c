"""Story identity: canonical URLs, title keys, and finding a copy's story."""
