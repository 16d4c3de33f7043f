"""Releases by e-mail: the press list's planner, its messages, its key, and removals.

docs/press.md explains the rules; publisher/engine/fanout.py stores what is planned.
"""
