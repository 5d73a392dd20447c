"""Getting alerts out: the outbox drain, the adapter interface, renderers, digests."""
