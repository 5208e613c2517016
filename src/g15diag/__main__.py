"""``python -m g15diag``."""

from g15diag.cli import main

main()
