"""The Prefect cluster on loopback (`reform cluster up`, `reform cluster down`, `reform deploy`)."""
