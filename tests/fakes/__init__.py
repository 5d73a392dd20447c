"""Protocol-faithful fakes of chat platforms, served on loopback for the real SDKs to talk to."""
