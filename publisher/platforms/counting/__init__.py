"""The counting rules of the platforms' own software, ported and held to it by tests."""
