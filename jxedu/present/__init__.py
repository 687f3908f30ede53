"""Present: the one vocabulary of labels, units and formats, turned into tables, charts and maps."""
