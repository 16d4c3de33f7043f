"""The smallest project for the check tests: every setting at its default."""
