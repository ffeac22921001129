"""A request coming in: the contact form and status lookup (`forms`, `views`), the path through the
help tool it comes from (`help_paths`), its reference number (`references`), and filing it
(`submission`)."""
