"""Building zones: the one projection module, repair of invalid geometry, the geometry algebra."""
