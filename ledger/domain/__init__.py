"""Aggregates and GMP rules, one area per module."""
