"""Initialisation (nn.init)."""
