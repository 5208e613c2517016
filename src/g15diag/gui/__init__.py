"""``g15diag gui``: a one-screen local page (Flask) over the same API as the CLI.

``worker`` runs one adapter session at a time in a thread; ``app`` is the Flask app with
the page's security rules (token, Host check, POST for actions); ``server`` binds it to
127.0.0.1 on a free port and stops it on Quit, page close or Ctrl-C.
"""
