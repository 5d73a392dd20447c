"""Running it: logs, the single-instance lock, doctor, status, the demo."""
