"""Kubernetes helpers: .dockerconfigjson documents and the secrets that carry them."""
