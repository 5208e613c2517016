"""The tool's operations as a Python API: transports in, typed results out. Nothing prints."""
