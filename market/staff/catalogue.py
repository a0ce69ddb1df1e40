"""Staff UI for the catalogue: products, stock, the catalogue import."""
