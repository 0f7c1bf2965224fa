"""gitpod-registry: the image registries of a self-hosted Gitpod installation, for one stack."""

import pulumi

from components import GitpodImageRegistries, InvalidInput, stack_config

try:
    args = stack_config.load(lambda namespace, key: pulumi.Config(namespace).get(key), pulumi.get_stack())
except InvalidInput as error:
    # A clean message naming the config key, instead of a traceback; nothing has been registered yet.
    raise pulumi.RunError(f"invalid configuration: {error}") from None

registries = GitpodImageRegistries("gitpod", args)

pulumi.export("installerConfig", registries.installer_config)
pulumi.export("installerConfigYaml", registries.installer_config_yaml)
pulumi.export("workspaceImagesSecret", registries.workspace_images_secret)
