"""The Pelican site: our reader, plugins, generators, feeds and the build."""
