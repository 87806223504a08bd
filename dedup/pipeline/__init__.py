"""Orchestrators: scan and report run the stages end to end."""
