"""Helpers shared by the test suite: databases, the Slack driver, factories."""
