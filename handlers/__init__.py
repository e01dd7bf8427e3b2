"""The Slack surface: parse what users typed, call the services, render Block Kit."""
