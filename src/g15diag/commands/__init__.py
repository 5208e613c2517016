"""One module per CLI command; each is thin and calls the API in ``g15diag.app``."""
