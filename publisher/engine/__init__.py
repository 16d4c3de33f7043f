"""The syndication engine: sources, composer, ledger, scheduler and reconciliation."""
