"""Loading a policy folder: YAML with line numbers, schemas, zone sets and their cache."""
