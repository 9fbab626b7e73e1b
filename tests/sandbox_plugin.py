"""Session-wide fixtures for tests that need the local sandbox (filled in by the sandbox work)."""
