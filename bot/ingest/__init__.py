"""Getting feeds in: fetch (conditional GET, caps, the network guard) and parse."""
