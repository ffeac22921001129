"""What staff are told about cases, and when: at once, in a daily digest, or never (cases.models.notifications)."""
