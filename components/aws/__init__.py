"""AWS helpers: partitions and the registry's S3 policy documents."""
