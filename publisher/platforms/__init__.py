"""What each social platform is (limits, counters, credentials) and how to post to it."""
