"""The simple digest of a day: per-event notes, adding them up, and the Markdown."""
