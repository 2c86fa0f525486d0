"""mockums: a local sandbox of the ChinaUMS open-platform payment API."""

__version__ = "0.1.0"
