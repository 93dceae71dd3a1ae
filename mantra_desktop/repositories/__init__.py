"""Async repositories, one per aggregate; the only code that writes SQL."""
