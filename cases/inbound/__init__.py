"""Clients' emails received: what they wrote, matched to their case."""
