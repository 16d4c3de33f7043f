"""Running it: the publishing loop, serve, deploy and the single-instance lock."""
