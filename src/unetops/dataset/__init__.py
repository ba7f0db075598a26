"""Dataset formation: source layouts, health check, conversion, leak-free split, versioned build, export."""
