"""Rate limits: named rules from the settings, counted by the `limits` library."""
