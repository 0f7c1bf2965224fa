"""`gitpod-registry verify`: checks deployed registries with the exact secrets Gitpod will use.

Modules: `cli` (the command), `config` (the installer config fragment), `secrets` (Kubernetes
Secrets and `.dockerconfigjson`), `registry_checks` (OCI registries, via python-dxf), `s3_checks`
(the in-cluster registry's S3 storage, via boto3), `network` (CA bundle, timeouts, and network failures in plain words),
`report` (lines, JSON, and masking of every credential). See docs/verify.md.
"""
