"""The checks: each area of what can go wrong, one module each, all run by one runner."""
