"""The OS edge: files the tool writes and reads, signals, the config file."""
