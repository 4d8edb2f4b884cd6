"""Identity's business logic: one module per resource family, working on a DB session."""
