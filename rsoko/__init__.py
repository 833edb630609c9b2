"""rsoko — the regional education-quality data warehouse."""
__version__ = "0.1.0"
