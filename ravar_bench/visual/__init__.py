"""Pictures for people: contact sheets of samples and predictions, per-class AP charts (matplotlib Agg)."""
