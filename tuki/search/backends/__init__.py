"""One module per database the search runs on; engine.py picks one by the connection's vendor."""
