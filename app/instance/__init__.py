"""This installation's own state: the secrets it generates for itself on first start."""
