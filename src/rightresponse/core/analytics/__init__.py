"""Pure analytics core: import profiles, reading messy exports, Parquet storage and the
analyses (Ibis expressions, any backend). No Django here."""
