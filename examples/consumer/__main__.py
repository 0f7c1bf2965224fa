"""A consumer's own stack: its cluster's Kubernetes provider, its AWS account, and gitpod-registry's components.

Imports the installed package (installed from git, see requirements.txt), never this repository's source.
"""

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from gitpod_registry import GitpodImageRegistries, InvalidInput

config = pulumi.Config()
region = config.get("region") or "eu-west-1"
cluster = config.get("clusterName") or pulumi.get_stack()

# The platform team's own providers: which cluster and which account the registry lands in is theirs to say.
# enable_secret_mutable: a rotated key or a changed login rewrites the secret Gitpod reads in place
# (docs/upgrading.md); without it pulumi-kubernetes deletes the secret and creates it again.
kube = k8s.Provider("gitpod-cluster", context=config.get("kubeContext") or None, enable_secret_mutable=True)
registry_account = aws.Provider("registry-account", region=region)

try:
    registries = GitpodImageRegistries(
        "gitpod",
        {
            "cluster_name": cluster,
            "namespace": "gitpod",
            "workspace_images": {"backend": "s3", "region": region},
            "component_images": {"repository": "registry.example.com/gitpod"},
        },
        opts=pulumi.ResourceOptions(providers=[kube, registry_account]),
    )
except InvalidInput as error:
    raise pulumi.RunError(f"invalid gitpod-registry arguments: {error}") from None

pulumi.export("installerConfigYaml", registries.installer_config_yaml)
pulumi.export("workspaceImagesSecret", registries.workspace_images_secret)
