"""The `publisher` command: click groups over the library, and the only place that prints."""
