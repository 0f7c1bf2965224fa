"""Bench-only program: `bench:clusters` instances of the composite in one stack, as a project
importing the components for several clusters would build them. Scales the work linearly."""

import pulumi

from components import GitpodImageRegistries

for index in range(pulumi.Config("bench").require_int("clusters")):
    registries = GitpodImageRegistries(
        f"cluster{index}",
        {
            "cluster_name": f"c{index}",
            "namespace": "gitpod",
            "workspace_images": {"backend": "s3", "region": "eu-west-1"},
        },
    )
    pulumi.export(f"installerConfig{index}", registries.installer_config)
