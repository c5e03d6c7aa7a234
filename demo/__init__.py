"""`reform demo`: the whole campaign on a simulated clock, driven through the flows and the registry's use cases."""
