"""Google Cloud helpers: names of projects, locations, repositories and service accounts."""
