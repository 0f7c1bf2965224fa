"""Azure helpers: names of resource groups, locations and container registries."""
