"""Emails to clients: the outbox that queues and sends them (`queue`), what became of each attempt
(`attempts`), their text (`emails`), and the daily caps per mailbox (`mailboxes`)."""
