"""gitpod-registry: the image registries of a self-hosted Gitpod installation, for one stack."""

import pulumi

from components import GitpodImageRegistries
from components.stack_config import InvalidConfig, all_config, load

try:
    checked = load(all_config(), pulumi.get_stack())
except InvalidConfig as error:
    # A clean message naming the config key, instead of a traceback; nothing has been registered yet.
    raise pulumi.RunError(f"invalid configuration: {error}") from None

registries = GitpodImageRegistries.from_checked("gitpod", checked)

pulumi.export("installerConfig", registries.installer_config)
pulumi.export("installerConfigYaml", registries.installer_config_yaml)
pulumi.export("workspaceImagesSecret", registries.workspace_images_secret)
pulumi.export("notes", registries.notes)
