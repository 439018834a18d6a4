"""The only package that opens database sessions."""
