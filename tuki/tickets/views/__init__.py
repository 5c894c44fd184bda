"""The agent workspace (/desk/): one module per screen."""
