"""Records: files in, a validated Workspace out (schema, reading, validation, loading,
templates, pseudonymization)."""
