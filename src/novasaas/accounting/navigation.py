"""Menu entries and dashboard widgets of this module (registered at start-up)."""
