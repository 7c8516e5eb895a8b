"""The exposure kernels: a reference one and a fast one (grid, edges, compiled loops)."""
