"""The writer's files: Markdown and front matter, campaigns, press and hotline data, go-live, check."""
