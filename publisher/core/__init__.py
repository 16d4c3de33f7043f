"""Foundations every subsystem uses: errors, time rules, the project and its settings."""
