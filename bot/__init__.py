"""Muster: the coalition's contribution register, one slash command away."""
