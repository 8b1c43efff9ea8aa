"""Static site generator for public budget-transparency portals (部门决算公开)."""
__version__ = "0.1.0"
