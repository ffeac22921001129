"""Warnings to staff before a case's reply target is missed, and escalation to the team's leads when it is."""
